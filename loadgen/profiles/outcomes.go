package profiles

import (
	"errors"

	"github.com/hprov/hprov/engine"
	"github.com/hprov/hprov/engine/csp"
	"github.com/hprov/hprov/loadgen"
)

// The outcome table every CryptoAPI profile shares, so that mixes of them
// count the same codes together: success, every error code of engine/csp,
// any other error, and the violations.
var cspCodes = [...]csp.Errno{
	csp.ERROR_INVALID_HANDLE, csp.ERROR_INVALID_PARAMETER, csp.ERROR_BUSY, csp.ERROR_ARITHMETIC_OVERFLOW,
	csp.NTE_BAD_UID, csp.NTE_BAD_HASH, csp.NTE_BAD_KEY, csp.NTE_BAD_LEN, csp.NTE_BAD_DATA,
	csp.NTE_BAD_SIGNATURE, csp.NTE_BAD_ALGID, csp.NTE_BAD_FLAGS, csp.NTE_BAD_TYPE, csp.NTE_BAD_HASH_STATE,
	csp.NTE_NO_KEY, csp.NTE_NO_MEMORY, csp.NTE_EXISTS, csp.NTE_BAD_KEYSET, csp.NTE_PROV_TYPE_NOT_DEF,
	csp.NTE_KEYSET_NOT_DEF, csp.NTE_BAD_KEYSET_PARAM,
}

// Outcomes of the CryptoAPI profiles, as indices into cspOutcomes: success
// is 0, the error codes follow from 1 in cspCodes order, then these.
const cspOK loadgen.Outcome = 0

const (
	cspOther            = loadgen.Outcome(1 + len(cspCodes) + iota)
	cspReleasedAccepted // a released context, or a child of one, answered
	cspForgedAccepted   // a forged or wrong-kind handle was accepted
	cspWrongValue       // a hash value differs from crypto/sha256's
	cspReleasedWrongErr // a child of a released context answered another error than NTE_BAD_UID
)

func cspOutcomes() []loadgen.OutcomeInfo {
	out := []loadgen.OutcomeInfo{{Name: "ok", Kind: loadgen.Success}}
	for _, e := range cspCodes {
		out = append(out, loadgen.OutcomeInfo{Name: e.Name(), Kind: loadgen.Refused})
	}
	return append(out,
		loadgen.OutcomeInfo{Name: "other-error", Kind: loadgen.Refused},
		loadgen.OutcomeInfo{Name: "released-accepted", Kind: loadgen.Violation},
		loadgen.OutcomeInfo{Name: "forged-accepted", Kind: loadgen.Violation},
		loadgen.OutcomeInfo{Name: "wrong-value", Kind: loadgen.Violation},
		loadgen.OutcomeInfo{Name: "released-wrong-error", Kind: loadgen.Violation},
	)
}

// cspOutcome maps an error of engine/csp to its outcome.
func cspOutcome(err error) loadgen.Outcome {
	if err == nil {
		return cspOK
	}
	e, ok := err.(csp.Errno)
	if !ok && !errors.As(err, &e) {
		return cspOther
	}
	for i, c := range cspCodes {
		if c == e {
			return loadgen.Outcome(1 + i)
		}
	}
	return cspOther
}

// Outcomes of engine-insert-release.
const (
	engOK loadgen.Outcome = iota
	engInvalidHandle
	engStale
	engBusy
	engFull
	engOverflow
	engOther
	engNotFreed // Release of the only reference did not free the handle
)

func engineOutcomes() []loadgen.OutcomeInfo {
	return []loadgen.OutcomeInfo{
		{Name: "ok", Kind: loadgen.Success},
		{Name: "ErrInvalidHandle", Kind: loadgen.Refused},
		{Name: "ErrStale", Kind: loadgen.Refused},
		{Name: "ErrBusy", Kind: loadgen.Refused},
		{Name: "ErrFull", Kind: loadgen.Refused},
		{Name: "ErrOverflow", Kind: loadgen.Refused},
		{Name: "other-error", Kind: loadgen.Refused},
		{Name: "not-freed", Kind: loadgen.Violation},
	}
}

func engineOutcome(err error) loadgen.Outcome {
	switch {
	case err == nil:
		return engOK
	case errors.Is(err, engine.ErrInvalidHandle):
		return engInvalidHandle
	case errors.Is(err, engine.ErrStale):
		return engStale
	case errors.Is(err, engine.ErrBusy):
		return engBusy
	case errors.Is(err, engine.ErrFull):
		return engFull
	case errors.Is(err, engine.ErrOverflow):
		return engOverflow
	}
	return engOther
}
