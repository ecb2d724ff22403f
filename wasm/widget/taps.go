package widget

// Taps turns pointer presses and releases (mouse, touch or pen, from the
// page's pointer events) into intents. An intent fires when a pointer is
// released over the same target it was pressed on, as buttons behave, so a
// press that slides off a button does nothing.
//
// The widget takes pointer events from the page rather than polling Ebiten's
// pressed-or-not state each tick: a quick tap, or a test's click, can press
// and release between two ticks and would be lost.
type Taps struct {
	down map[int]Intent // intent under each pointer at its press
}

// Down records that pointer id was pressed over the target whose intent is in.
func (t *Taps) Down(id int, in Intent) {
	if t.down == nil {
		t.down = make(map[int]Intent)
	}
	t.down[id] = in
}

// Up records that pointer id was released over the target whose intent is in,
// and returns the intent to carry out: in if the press was over the same
// target, else none.
func (t *Taps) Up(id int, in Intent) Intent {
	was, ok := t.down[id]
	delete(t.down, id)
	if !ok || was != in {
		return Intent{}
	}
	return in
}

// Cancel forgets pointer id: the browser took it over (a scroll, a lost
// touch).
func (t *Taps) Cancel(id int) { delete(t.down, id) }
