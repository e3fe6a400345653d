// gocheck: the OOM-kill heap profile oomprof wrote against the victim's own
// runtime/pprof heap profile, taken before it started leaking.
//
//	gocheck -self SELF.pb.gz -oom OOM.pb.gz -sites F1,F2,... -leak FUNC
//	        [-leak-bytes N -tol 0.15] [-exact] [-sites-only] [-absent F1,F2,...]
//
// Every stack of the runtime's own profile must be in the OOM profile,
// frame for frame (function, file, line): buckets are never freed. For
// every sample whose stack contains one of the -sites functions, with
// -exact the OOM profile must have the same inuse_objects and inuse_space; without -exact, each site's inuse_space
// summed must agree within -tol. The function with the most flat
// inuse_space in the OOM profile must be -leak, and with -leak-bytes its
// inuse_space must be within -tol of that many bytes. -sites-only skips the
// every-stack check: for a profile of another run of the same binary that
// made the allocations of the -sites but not the self profile's own.
// Without -self, only the OOM profile is checked (a binary with no runtime/pprof); the -absent
// functions must have no inuse_space in it.
//
// Prints "ok: ..." lines and exits 0, or the first problems and exits 1.
// With -info, prints the -oom profile's total inuse_space and comments.
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
	selfPath  = flag.String("self", "", "the runtime's own heap profile")
	oomPath   = flag.String("oom", "", "oomprof's profile")
	sitesFlag = flag.String("sites", "", "comma-separated functions retaining known objects")
	leak      = flag.String("leak", "", "the leaking function")
	leakBytes = flag.Int64("leak-bytes", 0, "bytes the victim says it leaked")
	tol       = flag.Float64("tol", 0.15, "relative tolerance")
	exact     = flag.Bool("exact", false, "values must be identical (MemProfileRate 1)")
	absent    = flag.String("absent", "", "comma-separated functions that must have nothing in use in the OOM profile")
	sitesOnly = flag.Bool("sites-only", false, "check only the -sites stacks of -self, not every stack")
	info      = flag.Bool("info", false, "only print the -oom profile's total inuse_space and its comments (\"inuse_space N\", \"comment TEXT\" lines)")
	same      = flag.Bool("same", false, "every non-zero sample of either profile must be in the other with identical values (on-demand dumps)")
)

var problems []string

func problem(format string, a ...interface{}) {
	problems = append(problems, fmt.Sprintf(format, a...))
}

func load(path string) *profile.Profile {
	f, err := os.Open(path)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		fmt.Printf("%s: %v\n", path, err)
		os.Exit(1)
	}
	return p
}

func index(p *profile.Profile, typ string) int {
	for i, st := range p.SampleType {
		if st.Type == typ {
			return i
		}
	}
	fmt.Printf("no sample type %s\n", typ)
	os.Exit(1)
	return -1
}

// stackKey: every frame of every location, innermost first.
func stackKey(s *profile.Sample) string {
	var b strings.Builder
	for _, loc := range s.Location {
		for _, ln := range loc.Line {
			fmt.Fprintf(&b, "%s %s:%d\n", ln.Function.Name, ln.Function.Filename, ln.Line)
		}
	}
	return b.String()
}

// Interned location keys: a stack's key as ids, so a profile of a million
// stacks is compared in seconds and a few hundred MB rather than with a
// string of every frame's names per sample.
var locIDs = map[string]uint32{}

type interned map[uint64]uint32 // location ID -> interned id

func internLocations(p *profile.Profile) interned {
	m := interned{}
	var b strings.Builder
	for _, loc := range p.Location {
		b.Reset()
		for _, ln := range loc.Line {
			fmt.Fprintf(&b, "%s %s:%d\n", ln.Function.Name, ln.Function.Filename, ln.Line)
		}
		id, ok := locIDs[b.String()]
		if !ok {
			id = uint32(len(locIDs))
			locIDs[b.String()] = id
		}
		m[loc.ID] = id
	}
	return m
}

// fastKey: the interned ids of the sample's locations, innermost first;
// equal exactly when stackKey is (a location's key is all its lines).
func (in interned) fastKey(s *profile.Sample) string {
	b := make([]byte, 0, 4*len(s.Location))
	for _, loc := range s.Location {
		id := in[loc.ID]
		b = append(b, byte(id), byte(id>>8), byte(id>>16), byte(id>>24))
	}
	return string(b)
}

func contains(s *profile.Sample, fn string) bool {
	for _, loc := range s.Location {
		for _, ln := range loc.Line {
			if ln.Function.Name == fn {
				return true
			}
		}
	}
	return false
}

func depth(s *profile.Sample) int {
	n := 0
	for _, loc := range s.Location {
		n += len(loc.Line)
	}
	return n
}

func main() {
	flag.Parse()
	oom := load(*oomPath)
	oIS := index(oom, "inuse_space")
	if *info {
		var total int64
		for _, s := range oom.Sample {
			total += s.Value[oIS]
		}
		fmt.Printf("inuse_space %d\n", total)
		for _, c := range oom.Comments {
			fmt.Printf("comment %s\n", c)
		}
		return
	}
	if *selfPath != "" {
		checkSelf(load(*selfPath), oom)
	}
	for _, fn := range strings.Split(*absent, ",") {
		if fn == "" {
			continue
		}
		var space int64
		for _, s := range oom.Sample {
			if contains(s, fn) {
				space += s.Value[oIS]
			}
		}
		if space != 0 {
			problem("%s: %d bytes in use in the OOM profile, expected none", fn, space)
		} else {
			fmt.Printf("ok: %s has nothing in use in the OOM profile\n", fn)
		}
	}
	checkLeak(oom, oIS)
}

// Every stack and -sites value of the runtime's own profile in the OOM one.
func checkSelf(self, oom *profile.Profile) {
	sIO, sIS := index(self, "inuse_objects"), index(self, "inuse_space")
	oIO, oIS := index(oom, "inuse_objects"), index(oom, "inuse_space")

	selfIn, oomIn := internLocations(self), internLocations(oom)
	oomByStack := make(map[string][]*profile.Sample, len(oom.Sample))
	for _, s := range oom.Sample {
		k := oomIn.fastKey(s)
		oomByStack[k] = append(oomByStack[k], s)
	}
	if !*sitesOnly {
		missing := 0
		for _, s := range self.Sample {
			if len(oomByStack[selfIn.fastKey(s)]) == 0 {
				missing++
				if missing <= 3 {
					problem("a stack of the runtime's own profile (%d frames) is not in the OOM profile:\n%s", depth(s), stackKey(s))
				}
			}
		}
		if missing == 0 {
			fmt.Printf("ok: all %d stacks of the runtime's own profile are in the OOM profile, frame for frame\n", len(self.Sample))
		}
	}
	for _, site := range strings.Split(*sitesFlag, ",") {
		if site == "" {
			continue
		}
		var selfObj, selfSpace, oomObj, oomSpace int64
		matched, maxDepth := 0, 0
		// The runtime's samples summed by stack: one stack can be several
		// buckets (one per object size), and pprof hides the leading
		// runtime frames, so an allocation the runtime made for itself
		// inside one of the site's allocations has the site's stack.
		type agg struct {
			o, sp   int64
			s       *profile.Sample
			nonzero bool
		}
		selfAgg := map[string]*agg{}
		var order []string
		for _, s := range self.Sample {
			if !contains(s, site) {
				continue
			}
			k := selfIn.fastKey(s)
			a := selfAgg[k]
			if a == nil {
				a = &agg{s: s}
				selfAgg[k] = a
				order = append(order, k)
			}
			a.o += s.Value[sIO]
			a.sp += s.Value[sIS]
			if s.Value[sIS] != 0 {
				a.nonzero = true
				selfObj += s.Value[sIO]
				selfSpace += s.Value[sIS]
			}
		}
		for _, k := range order {
			a := selfAgg[k]
			if !a.nonzero {
				continue
			}
			if d := depth(a.s); d > maxDepth {
				maxDepth = d
			}
			cands := oomByStack[k]
			if len(cands) == 0 {
				problem("%s: the runtime's stack (%d frames) is not in the OOM profile:\n%s", site, depth(a.s), stackKey(a.s))
				continue
			}
			matched++
			var o, sp int64
			for _, c := range cands {
				o += c.Value[oIO]
				sp += c.Value[oIS]
			}
			if *exact && (o != a.o || sp != a.sp) {
				problem("%s: inuse %d objects / %d bytes in the OOM profile, the runtime says %d / %d:\n%s",
					site, o, sp, a.o, a.sp, stackKey(a.s))
			}
		}
		for _, s := range oom.Sample {
			if contains(s, site) {
				oomObj += s.Value[oIO]
				oomSpace += s.Value[oIS]
			}
		}
		if matched == 0 {
			problem("%s: no sample in the runtime's own profile", site)
			continue
		}
		if !*exact && math.Abs(float64(oomSpace-selfSpace)) > *tol*float64(selfSpace) {
			problem("%s: inuse_space %d in the OOM profile, %d in the runtime's", site, oomSpace, selfSpace)
		}
		fmt.Printf("ok: %s: %d stack(s) up to %d frames; runtime %d objects / %d bytes, OOM profile %d / %d\n",
			site, matched, maxDepth, selfObj, selfSpace, oomObj, oomSpace)
	}

	if *same {
		sameSamples(self, oom)
	}
}

// The -leak function on top, holding about -leak-bytes.
func checkLeak(oom *profile.Profile, oIS int) {
	if *leak == "" {
		finish()
		return
	}
	// The top of `go tool pprof -top -sample_index=inuse_space`: most flat.
	flat := map[string]int64{}
	for _, s := range oom.Sample {
		if len(s.Location) > 0 && len(s.Location[0].Line) > 0 {
			flat[s.Location[0].Line[0].Function.Name] += s.Value[oIS]
		}
	}
	var fns []string
	for f := range flat {
		fns = append(fns, f)
	}
	sort.Slice(fns, func(i, j int) bool { return flat[fns[i]] > flat[fns[j]] })
	if len(fns) == 0 || fns[0] != *leak {
		problem("top of the OOM profile is %v, expected %s", fns[:min(3, len(fns))], *leak)
	} else {
		fmt.Printf("ok: %s is on top with %d bytes in use\n", *leak, flat[*leak])
	}
	if *leakBytes > 0 {
		got := flat[*leak]
		if math.Abs(float64(got-*leakBytes)) > *tol*float64(*leakBytes) {
			problem("%s: %d bytes in the OOM profile, the victim reported %d (tolerance %.0f%%)",
				*leak, got, *leakBytes, *tol*100)
		} else {
			fmt.Printf("ok: %s: %d bytes in the OOM profile, the victim reported %d (%.1f%% off)\n",
				*leak, got, *leakBytes, 100*math.Abs(float64(got-*leakBytes))/float64(*leakBytes))
		}
	}
	finish()
}

func finish() {
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Println("problem:", p)
		}
		os.Exit(1)
	}
}

// values of the non-zero samples, by stack and bytes label.
func byStack(p *profile.Profile) map[string][]int64 {
	m := map[string][]int64{}
	for _, s := range p.Sample {
		zero := true
		for _, v := range s.Value {
			zero = zero && v == 0
		}
		if zero {
			continue
		}
		key := stackKey(s) + fmt.Sprint(s.NumLabel["bytes"])
		if old, ok := m[key]; ok {
			for i := range old {
				old[i] += s.Value[i]
			}
			continue
		}
		m[key] = append([]int64(nil), s.Value...)
	}
	return m
}

func sameSamples(a, b *profile.Profile) {
	types := func(p *profile.Profile) string {
		var t []string
		for _, st := range p.SampleType {
			t = append(t, st.Type+"/"+st.Unit)
		}
		return strings.Join(t, " ")
	}
	if types(a) != types(b) || a.Period != b.Period {
		problem("sample types or period differ: %s (%d) vs %s (%d)", types(a), a.Period, types(b), b.Period)
	}
	ma, mb := byStack(a), byStack(b)
	for k, va := range ma {
		vb, ok := mb[k]
		if !ok {
			problem("a sample of the runtime's profile is not in the dump: %v\n%s", va, k)
		} else if fmt.Sprint(va) != fmt.Sprint(vb) {
			problem("values differ: runtime %v, dump %v\n%s", va, vb, k)
		}
	}
	for k, vb := range mb {
		if _, ok := ma[k]; !ok {
			problem("a sample of the dump is not in the runtime's profile: %v\n%s", vb, k)
		}
	}
	if len(problems) == 0 {
		fmt.Printf("ok: the same %d samples with the same values (%s, period %d)\n", len(ma), types(a), a.Period)
	}
}
