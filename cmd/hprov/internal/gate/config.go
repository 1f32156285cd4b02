package gate

import (
	"flag"
	"fmt"
	"math"

	"github.com/hprov/hprov/cmd/hprov/internal/benchcmp"
)

// Exit statuses of a gated comparison.
const (
	// ExitOK: no gated row is significantly worse by more than the
	// threshold, and the comparison was conclusive.
	ExitOK = 0
	// ExitRegression: at least one gated row is significantly worse, in
	// its unit's better-direction, by more than the threshold. It wins
	// over ExitInconclusive: a proven regression is not in doubt.
	ExitRegression = 1
	// ExitBadInput: bad flags, an unreadable or malformed input, no
	// results at all.
	ExitBadInput = 2
	// ExitInconclusive: the gate cannot vouch for the change: a gated
	// row with too few samples, a benchmark of OLD missing from NEW
	// (unless AllowMissing), or nothing compared at all.
	ExitInconclusive = 3
)

// Output formats. Text and CSV are benchstat's, byte for byte.
const (
	FormatText     = "text"
	FormatCSV      = "csv"
	FormatJSON     = "json"
	FormatMarkdown = "markdown"
)

// Corrections for testing many rows at once.
const (
	CorrectNone = "none"
	CorrectHolm = "holm" // Holm–Bonferroni: family-wise error rate at most Alpha
)

// Config is the gate's settings: the flags shared by hprov compare and
// hprov ab.
type Config struct {
	// Alpha is the significance level (benchstat's -alpha): with no
	// correction a row is significant when p <= Alpha; with Holm, the
	// family-wise error rate over the gated rows.
	Alpha float64
	// Confidence is the level of the intervals (benchstat's
	// -confidence).
	Confidence float64
	// Threshold is the exclusive minimum change that counts.
	Threshold Threshold
	// Gate is a benchproc filter selecting the gated rows; "*" gates
	// all. A compared row is gated when any result in either of its
	// cells matches.
	Gate string
	// Correct is CorrectNone or CorrectHolm.
	Correct string
	// MinSamples is the fewest samples a side of a gated row may have
	// before the row is insufficient (units with assume=exact are
	// exempt: one exact measurement is the value).
	MinSamples int
	// AllowMissing makes a benchmark of OLD missing from NEW a note
	// rather than an inconclusive result.
	AllowMissing bool
	// Format is FormatText, FormatCSV, FormatJSON or FormatMarkdown.
	Format string
}

// DefaultConfig returns the defaults: benchstat's alpha and confidence,
// threshold 0% (any significant worsening), every row gated, no
// correction, at least 6 samples a side, missing benchmarks
// inconclusive, text output.
func DefaultConfig() Config {
	th, _ := ParseThreshold("0%")
	return Config{Alpha: 0.05, Confidence: 0.95, Threshold: th, Gate: "*",
		Correct: CorrectNone, MinSamples: 6, Format: FormatText}
}

// RegisterFlags binds the gate's flags to c, with c's current values as
// defaults (start from DefaultConfig): -alpha -confidence -threshold
// -gate -correct -min-samples -allow-missing -format.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.Float64Var(&c.Alpha, "alpha", c.Alpha, "consider change significant if p <= `α` (with -correct holm: the family-wise level)")
	fs.Float64Var(&c.Confidence, "confidence", c.Confidence, "confidence `level` for ranges")
	fs.Var(&c.Threshold, "threshold", "smallest change that counts, exclusive, as a `percentage` (5%) or fraction (0.05)")
	fs.StringVar(&c.Gate, "gate", c.Gate, "gate only rows matching benchfilter `query` (same syntax as -filter)")
	fs.StringVar(&c.Correct, "correct", c.Correct, "multiple-comparison `correction` across gated rows: none or holm")
	fs.IntVar(&c.MinSamples, "min-samples", c.MinSamples, "fewest samples per side of a gated row; fewer is inconclusive (exit 3)")
	fs.BoolVar(&c.AllowMissing, "allow-missing", c.AllowMissing, "a benchmark of OLD missing from NEW is not inconclusive")
	fs.StringVar(&c.Format, "format", c.Format, "print results in `format`: text, csv (benchstat's), json (one object per compared row) or markdown")
}

// Validate checks the settings, with benchstat's wording for its own
// flags.
func (c Config) Validate() error {
	if math.IsNaN(c.Alpha) || c.Alpha < 0 || c.Alpha > 1 {
		return fmt.Errorf("-alpha must be in range [0, 1]")
	}
	if math.IsNaN(c.Confidence) || c.Confidence < 0 || c.Confidence > 1 {
		return fmt.Errorf("-confidence must be in range [0, 1]")
	}
	switch c.Format {
	case FormatText, FormatCSV, FormatJSON, FormatMarkdown:
	default:
		return fmt.Errorf("-format must be text, csv, json or markdown")
	}
	switch c.Correct {
	case CorrectNone, CorrectHolm:
	default:
		return fmt.Errorf("-correct %q: want none or holm", c.Correct)
	}
	if c.MinSamples < 1 {
		return fmt.Errorf("-min-samples %d: want at least 1", c.MinSamples)
	}
	if err := benchcmp.CheckFilter(c.gate()); err != nil {
		return fmt.Errorf("parsing -gate: %s", err)
	}
	return nil
}

func (c Config) gate() string {
	if c.Gate == "" {
		return "*"
	}
	return c.Gate
}
