package widget

import "testing"

func TestTaps(t *testing.T) {
	sample := Intent{Action: Sample}
	three := Intent{Action: Choose, Kind: CVAE, Digit: 3}
	type ev struct {
		kind string // "down", "up", "cancel"
		id   int
		in   Intent
		want Intent // what an "up" returns
	}
	tests := []struct {
		name   string
		events []ev
	}{
		{"click", []ev{{"down", 1, sample, Intent{}}, {"up", 1, sample, sample}}},
		{"slide off", []ev{{"down", 1, sample, Intent{}}, {"up", 1, three, Intent{}}}},
		{"slide onto", []ev{{"down", 1, Intent{}, Intent{}}, {"up", 1, sample, Intent{}}}},
		{"release without press", []ev{{"up", 7, sample, Intent{}}}},
		{"double release", []ev{{"down", 1, sample, Intent{}}, {"up", 1, sample, sample}, {"up", 1, sample, Intent{}}}},
		{"cancelled", []ev{{"down", 1, sample, Intent{}}, {"cancel", 1, Intent{}, Intent{}}, {"up", 1, sample, Intent{}}}},
		{"two fingers", []ev{
			{"down", 1, sample, Intent{}}, {"down", 2, three, Intent{}},
			{"up", 2, three, three}, {"up", 1, sample, sample},
		}},
		{"empty space", []ev{{"down", 1, Intent{}, Intent{}}, {"up", 1, Intent{}, Intent{}}}},
	}
	for _, tt := range tests {
		var taps Taps
		for i, e := range tt.events {
			switch e.kind {
			case "down":
				taps.Down(e.id, e.in)
			case "cancel":
				taps.Cancel(e.id)
			case "up":
				if got := taps.Up(e.id, e.in); got != e.want {
					t.Errorf("%s: event %d: Up = %+v, want %+v", tt.name, i, got, e.want)
				}
			}
		}
	}
}
