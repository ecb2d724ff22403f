package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress reports how many images importance sampling has finished, and
// when it will be done: as a bar on a terminal, else as a line every
// tenth of the work or minute, whichever comes first, for logs.
type progress struct {
	bar   *progressbar.ProgressBar // nil unless stderr is a terminal
	w     io.Writer                // nil when silent
	total int
	start time.Time
	last  time.Time
	done  int
	step  int // images between log lines
}

func newProgress(w io.Writer, total int, enabled bool) *progress {
	p := &progress{total: total, start: time.Now(), last: time.Now(), step: max(total/10, 1)}
	if !enabled {
		return p
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("importance sampling"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetItsString("images"),
			progressbar.OptionShowIts(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(200*time.Millisecond),
		)
		return p
	}
	p.w = w
	return p
}

// update is told the number of images finished so far.
func (p *progress) update(done int) {
	if done <= p.done {
		return
	}
	prev := p.done
	p.done = done
	switch {
	case p.bar != nil:
		p.bar.Set(done)
	case p.w != nil && done < p.total && (done/p.step > prev/p.step || time.Since(p.last) > time.Minute):
		p.last = time.Now()
		elapsed := time.Since(p.start)
		eta := time.Duration(float64(elapsed) / float64(done) * float64(p.total-done))
		fmt.Fprintf(p.w, "importance sampling: %d/%d images, %s elapsed, about %s left\n",
			done, p.total, elapsed.Round(time.Second), eta.Round(time.Second))
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
