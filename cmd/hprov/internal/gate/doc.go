// Package gate turns benchstat's comparison into a verdict a CI job can
// trust: the gate shared by hprov compare and hprov ab.
//
// It judges every comparison benchstat shows (a cell against its row's
// baseline, the table's first column) and every benchmark the baseline
// has and a later column lacks:
//
//   - missing: the later column lacks the row;
//   - insufficient: fewer than MinSamples values on a side (units
//     declared assume=exact excepted), or a significant change beyond the
//     threshold in a unit with no known better-direction;
//   - regression / improvement: significant (p, or the Holm-adjusted p,
//     at most Alpha) and worse / better in the unit's direction by more
//     than the threshold;
//   - unchanged: anything else.
//
// Deltas and the threshold are exact rationals computed from the input's
// decimals, so "more than 5%" means what it says: exactly +5.00% is not a
// regression. A change from 0 has no ratio; it counts as unbounded in its
// direction and is printed "up from 0", never "+Inf%".
//
// Only gated rows (Config.Gate, a benchproc filter) decide the exit
// status: 1 if any regressed, else 3 if any is insufficient, or missing
// without AllowMissing, or nothing was compared, else 0; malformed or
// empty inputs make it 2 whatever the rows say. stdout carries the
// tables (benchstat's text or CSV, or the gate's JSON or Markdown);
// stderr carries the verdict, one line per deciding row, in lines that
// cannot be mistaken for benchmark data.
package gate
