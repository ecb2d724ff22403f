package plot

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	gplot "gonum.org/v1/plot"
)

func TestTile(t *testing.T) {
	// Two 2x3 images in a 2x2 grid with a 1-pixel frame.
	a := []float64{0, 0.5, 1, 2, -1, 0.25}
	b := []float64{1, 1, 1, 1, 1, 1}
	img, err := Tile([][]float64{a, b}, Grid{Rows: 2, Cols: 2, Width: 3, Height: 2, Pad: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := img.Bounds(), image.Rect(0, 0, 2*4+1, 2*3+1); got != want {
		t.Fatalf("bounds %v, want %v", got, want)
	}
	tests := []struct {
		x, y int
		want uint8
	}{
		{0, 0, padGrey},                     // frame
		{1, 1, 0}, {2, 1, 128}, {3, 1, 255}, // a's first row
		{1, 2, 255}, {2, 2, 0}, {3, 2, 64}, // a's second row, clipped
		{4, 1, padGrey},          // frame between cells
		{5, 1, 255}, {7, 2, 255}, // b
		{5, 4, padGrey}, {6, 5, padGrey}, // empty cell stays frame-grey
	}
	for _, tt := range tests {
		if got := img.GrayAt(tt.x, tt.y).Y; got != tt.want {
			t.Errorf("pixel (%d,%d) = %d, want %d", tt.x, tt.y, got, tt.want)
		}
	}
}

func TestTileErrors(t *testing.T) {
	tests := []struct {
		name   string
		images [][]float64
		g      Grid
	}{
		{"zero rows", nil, Grid{Rows: 0, Cols: 1, Width: 1, Height: 1}},
		{"negative pad", nil, Grid{Rows: 1, Cols: 1, Width: 1, Height: 1, Pad: -1}},
		{"too many images", [][]float64{{0}, {0}}, Grid{Rows: 1, Cols: 1, Width: 1, Height: 1}},
		{"wrong image size", [][]float64{{0, 1}}, Grid{Rows: 1, Cols: 1, Width: 1, Height: 1}},
		{"huge", nil, Grid{Rows: 1, Cols: 1 << 20, Width: 28, Height: 28}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Tile(tt.images, tt.g); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestUpscale(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 2, 1))
	img.Pix[0], img.Pix[1] = 10, 200
	big := Upscale(img, 3)
	if big.Bounds().Dx() != 6 || big.Bounds().Dy() != 3 {
		t.Fatalf("bounds %v, want 6x3", big.Bounds())
	}
	for y := range 3 {
		for x := range 6 {
			want := uint8(10)
			if x >= 3 {
				want = 200
			}
			if got := big.GrayAt(x, y).Y; got != want {
				t.Errorf("pixel (%d,%d) = %d, want %d", x, y, got, want)
			}
		}
	}
}

// readPNG decodes path as PNG and returns its size.
func readPNG(t *testing.T, path string) image.Rectangle {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img.Bounds()
}

func TestFiguresWritePNG(t *testing.T) {
	dir := t.TempDir()
	grid, err := Tile([][]float64{make([]float64, 4), {1, 1, 1, 1}}, Grid{Rows: 1, Cols: 2, Width: 2, Height: 2, Pad: 1})
	if err != nil {
		t.Fatal(err)
	}
	line, err := LineFigure("loss", "epoch", "nats", Series{"train", []float64{1, 2, 3}, []float64{3, 2, 1}}, Series{"test", []float64{1}, []float64{2}})
	if err != nil {
		t.Fatal(err)
	}
	scatter, err := ScatterFigure("latent", "z1", "z2", []float64{0, 1, 2}, []float64{1, 0, 2}, []int{0, 2, 2}, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	figs := []struct {
		name string
		p    *gplot.Plot
	}{
		{"grid", ImageFigure(Upscale(grid, 4), ImageOptions{Title: "grid", RowNames: []string{"row"}, ColNames: []string{"a", "b"}})},
		{"extent", ImageFigure(grid, ImageOptions{Title: "manifold", XLabel: "z1", YLabel: "z2", Extent: [4]float64{-3, -3, 3, 3}})},
		{"line", line},
		{"scatter", scatter},
	}
	for _, f := range figs {
		t.Run(f.name, func(t *testing.T) {
			path := filepath.Join(dir, f.name+".png")
			if err := Save(path, f.p, Size{W: 300, H: 200}); err != nil {
				t.Fatal(err)
			}
			if b := readPNG(t, path); b.Dx() != 300 || b.Dy() != 200 {
				t.Errorf("image is %v, want 300x200", b)
			}
		})
	}
	path := filepath.Join(dir, "tiles.png")
	if err := SaveTiles(path, [][]*gplot.Plot{{line, scatter}, {figs[0].p, nil}}, Size{W: 400, H: 400}); err != nil {
		t.Fatal(err)
	}
	if b := readPNG(t, path); b.Dx() != 400 || b.Dy() != 400 {
		t.Errorf("tiles image is %v, want 400x400", b)
	}
}

func TestFigureErrors(t *testing.T) {
	if _, err := LineFigure("t", "x", "y", Series{"bad", []float64{1, 2}, []float64{1}}); err == nil {
		t.Error("LineFigure: no error for mismatched series")
	}
	if _, err := LineFigure("t", "x", "y", Series{Name: "empty"}); err == nil {
		t.Error("LineFigure: no error for an empty series")
	}
	if _, err := ScatterFigure("t", "x", "y", []float64{0}, []float64{0}, []int{3}, []string{"a"}); err == nil {
		t.Error("ScatterFigure: no error for a class out of range")
	}
	if _, err := ScatterFigure("t", "x", "y", []float64{0, 1}, []float64{0}, []int{0}, []string{"a"}); err == nil {
		t.Error("ScatterFigure: no error for mismatched lengths")
	}
	p := gplot.New()
	dir := t.TempDir()
	for _, s := range []Size{{0, 10}, {10, -1}, {1 << 20, 10}} {
		if err := Save(filepath.Join(dir, "x.png"), p, s); err == nil {
			t.Errorf("Save with size %v: no error", s)
		}
	}
	if err := SaveTiles(filepath.Join(dir, "x.png"), [][]*gplot.Plot{{p}, {p, p}}, Size{10, 10}); err == nil {
		t.Error("SaveTiles with ragged rows: no error")
	}
	if err := Save(filepath.Join(dir, "missing", "x.png"), p, Size{10, 10}); err == nil {
		t.Error("Save into a missing folder: no error")
	}
}
