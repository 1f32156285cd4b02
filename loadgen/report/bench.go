package report

import (
	"io"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"
)

// WriteBench writes rep in the Go benchmark format: unit metadata lines,
// then configuration lines, then one result line per storm.
func (rep *Report) WriteBench(w io.Writer) error {
	bw := benchfmt.NewWriter(w)
	for _, u := range rep.units() {
		_, tidy := benchunit.Tidy(1, u)
		meta := []benchfmt.UnitMetadata{{UnitMetadataKey: benchfmt.UnitMetadataKey{Unit: tidy, Key: "assume"}, OrigUnit: u, Value: "nothing"}}
		if b := better(u); b != "" {
			meta = append([]benchfmt.UnitMetadata{{UnitMetadataKey: benchfmt.UnitMetadataKey{Unit: tidy, Key: "better"}, OrigUnit: u, Value: b}}, meta...)
		}
		for i := range meta {
			if err := bw.Write(&meta[i]); err != nil {
				return err
			}
		}
	}
	cfg := rep.config()
	for _, r := range rep.Results {
		res := &benchfmt.Result{Name: benchfmt.Name(Name(r)), Iters: int(min(r.Count, 1<<62))}
		for _, p := range cfg {
			res.Config = append(res.Config, benchfmt.Config{Key: configKey(p.Key), Value: []byte(configValue(p.Value)), File: true})
		}
		// A storm whose run configuration differs from the file's first
		// one says so with changed configuration lines before its result.
		for _, p := range runConfig(r) {
			for i := range res.Config {
				if res.Config[i].Key == p.Key {
					res.Config[i].Value = []byte(p.Value)
				}
			}
		}
		for _, m := range metrics(r) {
			res.Values = append(res.Values, benchfmt.Value{Value: m.value, Unit: m.unit})
		}
		if err := bw.Write(res); err != nil {
			return err
		}
	}
	return nil
}

// configKey makes k a valid configuration key: lower case, no spaces.
func configKey(k string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '\t' || r == ':':
			return '-'
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, k)
}

// configValue keeps a value on its line and non-empty (an empty value
// would delete the key).
func configValue(v string) string {
	v = strings.Join(strings.Fields(v), " ")
	if v == "" {
		return "none"
	}
	return v
}
