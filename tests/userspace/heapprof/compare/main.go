// Compare a heap profile written by user/heapprof.c + user/pprof.c with the
// one runtime/pprof wrote in the same process (see ../oracle).
//
//	compare [-addr-only] [-at-least] RUNTIME.pb.gz C.pb.gz
//	compare -site FUNC [-want BYTES -tol FRACTION] RUNTIME.pb.gz C.pb.gz
//
// The first form requires the same samples (keyed by stack and `bytes`
// label) with identical values, the same sample and period types, period,
// and executable mapping. Samples whose values are all zero are skipped:
// they are buckets created after the GCs, whose counts are not yet in
// memRecord.active, and the two snapshots cannot be taken at one instant.
// With -at-least (a profile of all cycles, published or not) the C values
// need only be at least the runtime's, and extra C samples are allowed.
// With -addr-only (no symbolizer on the C side) stacks are compared by
// address, and the runtime's stack need only be a suffix of the C one (the
// C side cannot hide runtime.* frames without symbols).
//
// The second form sums inuse_space over samples whose stack contains FUNC:
// the C profile's sum must equal the runtime profile's up to rounding (one
// byte per sample) and, with -want, be within FRACTION of BYTES.
//
// Prints "ok: ..." and exits 0, or prints the differences and exits 1.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/google/pprof/profile"
)

var (
	addrOnly = flag.Bool("addr-only", false, "compare stacks by address only")
	atLeast  = flag.Bool("at-least", false, "C values may exceed the runtime's (all cycles)")
	site     = flag.String("site", "", "function whose inuse_space to check")
	want     = flag.Int64("want", 0, "expected inuse_space at -site")
	tol      = flag.Float64("tol", 0.15, "relative tolerance for -want")
)

func load(path string) *profile.Profile {
	f, err := os.Open(path)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		fail("%s: %v", path, err)
	}
	if err := p.CheckValid(); err != nil {
		fail("%s: invalid: %v", path, err)
	}
	return p
}

func fail(f string, a ...interface{}) {
	fmt.Printf(f+"\n", a...)
	os.Exit(1)
}

func locKey(l *profile.Location, addrOnly bool) string {
	if addrOnly {
		return fmt.Sprintf("%#x", l.Address)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%#x", l.Address)
	for _, ln := range l.Line {
		fmt.Fprintf(&b, "{%s %s:%d}", ln.Function.Name, ln.Function.Filename, ln.Line)
	}
	return b.String()
}

func label(s *profile.Sample) string {
	return fmt.Sprint(s.NumLabel["bytes"], s.NumUnit["bytes"])
}

type agg struct {
	stack  []string
	label  string
	values []int64
}

// samples sums the non-zero samples by stack and label.
func samples(p *profile.Profile, addrOnly bool) (map[string]*agg, int) {
	m := map[string]*agg{}
	zero := 0
	for _, s := range p.Sample {
		nz := false
		for _, v := range s.Value {
			nz = nz || v != 0
		}
		if !nz {
			zero++
			continue
		}
		var stk []string
		for _, l := range s.Location {
			stk = append(stk, locKey(l, addrOnly))
		}
		k := strings.Join(stk, "\n") + "\nlabel " + label(s)
		a := m[k]
		if a == nil {
			a = &agg{stack: stk, label: label(s), values: make([]int64, len(s.Value))}
			m[k] = a
		}
		for i, v := range s.Value {
			a.values[i] += v
		}
	}
	return m, zero
}

func types(p *profile.Profile) string {
	var t []string
	for _, st := range p.SampleType {
		t = append(t, st.Type+"/"+st.Unit)
	}
	return fmt.Sprintf("%v period %s/%s %d", t, p.PeriodType.Type, p.PeriodType.Unit, p.Period)
}

func siteSum(p *profile.Profile, fn string) (sum int64, n int) {
	idx := -1
	for i, st := range p.SampleType {
		if st.Type == "inuse_space" {
			idx = i
		}
	}
	if idx < 0 {
		fail("no inuse_space")
	}
	for _, s := range p.Sample {
		hit := false
		for _, l := range s.Location {
			for _, ln := range l.Line {
				hit = hit || ln.Function.Name == fn
			}
		}
		if hit {
			sum += s.Value[idx]
			n++
		}
	}
	return
}

func main() {
	flag.Parse()
	if flag.NArg() != 2 {
		fail("usage: compare [-addr-only] RUNTIME.pb.gz C.pb.gz")
	}
	rt, c := load(flag.Arg(0)), load(flag.Arg(1))
	if a, b := types(rt), types(c); a != b {
		fail("sample types differ: runtime %s, C %s", a, b)
	}
	if *site != "" {
		rs, rn := siteSum(rt, *site)
		cs, cn := siteSum(c, *site)
		if cn == 0 {
			fail("no sample at %s in the C profile", *site)
		}
		if d := math.Abs(float64(cs-*want)) / float64(*want); *want > 0 && d > *tol {
			fail("%s inuse_space %d is %.1f%% off %d", *site, cs, 100*d, *want)
		}
		if d := cs - rs; d < -int64(rn) || d > int64(cn) {
			fail("%s inuse_space: C %d (%d samples), runtime %d (%d samples)", *site, cs, cn, rs, rn)
		}
		fmt.Printf("ok: %s inuse_space C %d runtime %d\n", *site, cs, rs)
		return
	}
	if len(c.Mapping) == 0 || len(rt.Mapping) == 0 || c.Mapping[0].File != rt.Mapping[0].File {
		fail("executable mapping differs")
	}
	rm, rz := samples(rt, *addrOnly)
	cm, cz := samples(c, *addrOnly)
	var diffs []string
	matched := map[string]bool{}
	for k, r := range rm {
		ck := k
		if *addrOnly && cm[k] == nil {
			for k2, a := range cm {
				if a.label == r.label && !matched[k2] &&
					strings.HasSuffix("\n"+strings.Join(a.stack, "\n"), "\n"+strings.Join(r.stack, "\n")) &&
					fmt.Sprint(a.values) == fmt.Sprint(r.values) {
					ck = k2
					break
				}
			}
		}
		a := cm[ck]
		if a == nil {
			diffs = append(diffs, fmt.Sprintf("only in runtime profile: %v\n  %s", r.values, strings.ReplaceAll(k, "\n", "\n  ")))
			continue
		}
		matched[ck] = true
		if *atLeast {
			for i := range r.values {
				if a.values[i] < r.values[i] {
					diffs = append(diffs, fmt.Sprintf("C value below the runtime's: runtime %v C %v\n  %s", r.values, a.values, strings.ReplaceAll(k, "\n", "\n  ")))
					break
				}
			}
		} else if fmt.Sprint(a.values) != fmt.Sprint(r.values) {
			diffs = append(diffs, fmt.Sprintf("values differ: runtime %v C %v\n  %s", r.values, a.values, strings.ReplaceAll(k, "\n", "\n  ")))
		}
	}
	for k, a := range cm {
		if !matched[k] && !*atLeast {
			diffs = append(diffs, fmt.Sprintf("only in C profile: %v\n  %s", a.values, strings.ReplaceAll(k, "\n", "\n  ")))
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		fmt.Printf("%d differences (%d vs %d samples):\n%s\n", len(diffs), len(rm), len(cm), strings.Join(diffs, "\n"))
		os.Exit(1)
	}
	fmt.Printf("ok: %d samples agree (%d/%d zero samples skipped)\n", len(rm), rz, cz)
}
