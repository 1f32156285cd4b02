package profsum

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/google/pprof/profile"
)

// A Filter keeps some of a profile's samples, as pprof's -focus, -ignore
// and -tagfocus options do. The zero value keeps all.
type Filter struct {
	// Focus keeps the samples with a frame whose function name or file
	// name matches it.
	Focus *regexp.Regexp
	// Ignore drops the samples with such a frame.
	Ignore *regexp.Regexp
	// TagFocus keeps the samples whose labels it accepts (see
	// ParseTagFocus).
	TagFocus func(*profile.Sample) bool
}

// Apply filters p in place and reports, for each filter given, whether it
// matched anything, as pprof warns "Focus expression matched no samples".
func (f Filter) Apply(p *profile.Profile) (unmatched []string) {
	fm, im, _, _ := p.FilterSamplesByName(f.Focus, f.Ignore, nil, nil)
	if f.Focus != nil && !fm {
		unmatched = append(unmatched, "-focus")
	}
	if f.Ignore != nil && !im {
		unmatched = append(unmatched, "-ignore")
	}
	if f.TagFocus != nil {
		if fm, _ := p.FilterSamplesByTag(f.TagFocus, nil); !fm {
			unmatched = append(unmatched, "-tagfocus")
		}
	}
	return unmatched
}

// ParseTagFocus compiles a pprof -tagfocus expression on string labels:
// "key=re1,re2" keeps samples with label key whose value matches any of
// the regular expressions; "re1,re2" without a key keeps samples where
// every expression matches some "key:value" of the sample's labels.
// pprof's numeric ranges on numeric labels ("1kb:2kb") are not supported
// and are reported as an error rather than read as a regular expression.
func ParseTagFocus(expr string) (func(*profile.Sample) bool, error) {
	key, value, hasKey := strings.Cut(expr, "=")
	if !hasKey {
		key, value = "", expr
	}
	if value == "" {
		return nil, fmt.Errorf("tagfocus %q: want [key=]regexp[,regexp...]", expr)
	}
	if numericRange.MatchString(value) {
		return nil, fmt.Errorf("tagfocus %q: numeric label ranges are not supported, only string labels (like phase=measure)", expr)
	}
	var rxs []*regexp.Regexp
	for _, s := range strings.Split(value, ",") {
		rx, err := regexp.Compile(s)
		if err != nil {
			return nil, fmt.Errorf("tagfocus %q: %v", expr, err)
		}
		rxs = append(rxs, rx)
	}
	if hasKey {
		return func(s *profile.Sample) bool {
			for _, rx := range rxs {
				for _, v := range s.Label[key] {
					if rx.MatchString(v) {
						return true
					}
				}
			}
			return false
		}, nil
	}
	return func(s *profile.Sample) bool {
	next:
		for _, rx := range rxs {
			for k, vs := range s.Label {
				for _, v := range vs {
					if rx.MatchString(k + ":" + v) {
						continue next
					}
				}
			}
			return false
		}
		return true
	}, nil
}

// numericRange is pprof's tag filter range syntax: a number with an
// optional unit, alone or on either side of a colon.
var numericRange = regexp.MustCompile(`^(-?\d+[a-zA-Z]*)?:?(-?\d+[a-zA-Z]*)?$`)
