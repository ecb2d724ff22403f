package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// profiling runs V8's sampling profiler in a tab: where the page's main
// thread spends its time, JavaScript and WebAssembly alike (a main.wasm
// built with its symbols names Go's functions).
type profiling struct {
	prof *profiler.Profile
}

// start begins sampling every 500 µs in the tab of ctx.
func (p *profiling) start(ctx context.Context) error {
	if _, err := chromedp.Call(ctx, profiler.Enable, cdp.Empty{}); err != nil {
		return fmt.Errorf("profiler: %w", err)
	}
	if _, err := chromedp.Call(ctx, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 500}); err != nil {
		return fmt.Errorf("profiler: %w", err)
	}
	if _, err := chromedp.Call(ctx, profiler.Start, cdp.Empty{}); err != nil {
		return fmt.Errorf("profiler: %w", err)
	}
	return nil
}

// stop ends sampling and keeps the profile.
func (p *profiling) stop(ctx context.Context) error {
	r, err := chromedp.Call(ctx, profiler.Stop, cdp.Empty{})
	if err != nil {
		return fmt.Errorf("profiler: %w", err)
	}
	p.prof = r.Profile
	return nil
}

// selfTime is the time samples spent in one function or group, not counting
// its callees.
type selfTime struct {
	name string
	ms   float64
}

// selfTimes sums the profile's sample time by key(function name, script
// URL), largest first, and returns the total.
func selfTimes(p *profiler.Profile, key func(fn, url string) string) ([]selfTime, float64) {
	if p == nil {
		return nil, 0
	}
	byID := map[int64]*profiler.ProfileNode{}
	for _, n := range p.Nodes {
		byID[n.ID] = n
	}
	sums := map[string]float64{}
	var total float64
	for i, id := range p.Samples {
		if i >= len(p.TimeDeltas) {
			break
		}
		// A sample's time is the gap to the next one.
		dt := float64(p.TimeDeltas[min(i+1, len(p.TimeDeltas)-1)]) / 1000
		n := byID[id]
		if n == nil || n.CallFrame == nil {
			continue
		}
		k := key(n.CallFrame.FunctionName, n.CallFrame.URL)
		sums[k] += dt
		total += dt
	}
	out := make([]selfTime, 0, len(sums))
	for k, v := range sums {
		out = append(out, selfTime{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ms > out[j].ms })
	return out, total
}

// functionKey names a sample by its function, with V8's special entries
// ("(idle)", "(garbage collector)", "(program)": the browser's own work,
// rendering and GPU calls included) kept as they are.
func functionKey(fn, url string) string {
	switch {
	case fn == "" && url == "":
		return "(anonymous)"
	case fn == "":
		return "(anonymous) " + url[strings.LastIndex(url, "/")+1:]
	case strings.HasPrefix(fn, "$"):
		return fn[1:]
	}
	return fn
}

// groupKey names a sample by the dependency its function belongs to, as the
// wasm size report groups them; JavaScript by its script.
func groupKey(fn, url string) string {
	f := functionKey(fn, url)
	if strings.HasPrefix(f, "(") {
		return f
	}
	if strings.HasSuffix(url, ".js") {
		return "JavaScript: " + url[strings.LastIndex(url, "/")+1:]
	}
	if strings.Contains(f, ".") || strings.Contains(f, "_") {
		return packageGroup(f)
	}
	return "JavaScript/other: " + f
}

// printProfile writes the top entries of a profile by function and by group.
func printProfile(w io.Writer, title string, p *profiler.Profile) {
	fns, total := selfTimes(p, functionKey)
	groups, _ := selfTimes(p, groupKey)
	fmt.Fprintf(w, "\n%s: %.0f ms sampled on the page's main thread; self time by group, then by function:\n", title, total)
	for i, g := range groups {
		if i == 12 {
			break
		}
		fmt.Fprintf(w, "  %6.0f ms %4.1f%%  %s\n", g.ms, 100*g.ms/total, g.name)
	}
	fmt.Fprintln(w, "  --")
	for i, f := range fns {
		if i == 15 {
			break
		}
		fmt.Fprintf(w, "  %6.0f ms %4.1f%%  %s\n", f.ms, 100*f.ms/total, f.name)
	}
}
