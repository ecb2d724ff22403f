package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	gplot "gonum.org/v1/plot"

	"vaeplay/model"
	"vaeplay/tools/internal/plot"
)

// figureInput is what the figures are drawn from.
type figureInput struct {
	m      *model.Model
	x      model.Matrix // the evaluated images, as evaluated (binarized or not)
	labels []int        // their true classes, also for a plain VAE
	mu     model.Matrix // posterior means of x
	rows   int          // image height and width; rows*cols = m.Config.Input
	cols   int
	log    string // the trainer's CSV log; absent is fine
	seed   uint64
}

// figure is one written figure: a short name for the JSON and the table,
// the file's base name, and what it shows.
type figure struct {
	Name  string `json:"name"`
	File  string `json:"file"`
	Title string `json:"title"`
}

// digitNames labels the ten classes.
var digitNames = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// pad is the grey frame between digits in a grid, in image pixels.
const pad = 2

// writeFigures draws every figure that applies to the model into dir and
// lists them in the order written.
func writeFigures(dir string, in figureInput) ([]figure, error) {
	var figs []figure
	add := func(name, title string, draw func(path, title string) error) error {
		f := figure{Name: name, File: name + ".png", Title: title}
		if err := draw(filepath.Join(dir, f.File), title); err != nil {
			return fmt.Errorf("figure %s: %w", name, err)
		}
		figs = append(figs, f)
		return nil
	}
	if in.m.Config.Conditional() {
		if err := add("samples", "Samples from the prior, one row per requested digit", in.classSamples); err != nil {
			return nil, err
		}
	} else if err := add("samples", "Samples from the prior, z ~ N(0, I)", in.samples); err != nil {
		return nil, err
	}
	if err := add("reconstructions", "Test images and their reconstructions", in.reconstructions); err != nil {
		return nil, err
	}
	switch history, err := readLog(in.log); {
	case errors.Is(err, fs.ErrNotExist):
		// No log beside the weights (a model from PyTorch, say): no curve.
	case err != nil:
		return nil, err
	default:
		if err := add("loss", "Loss by epoch", func(path, title string) error { return lossFigure(path, title, history) }); err != nil {
			return nil, err
		}
	}
	if in.m.Config.Latent == 2 {
		if err := add("manifold", "Decoded latent space", in.manifold); err != nil {
			return nil, err
		}
		if err := add("latent", "Test set in latent space", in.scatter); err != nil {
			return nil, err
		}
	}
	return figs, nil
}

// rowsOf returns the rows of a as float64 slices, as package plot takes
// them.
func rowsOf(a model.Matrix) [][]float64 {
	out := make([][]float64, a.Rows)
	for i := range out {
		out[i] = row64(a, i)
	}
	return out
}

// row64 returns row i of a as float64.
func row64(a model.Matrix, i int) []float64 {
	out := make([]float64, a.Cols)
	for j, v := range a.Row(i) {
		out[j] = float64(v)
	}
	return out
}

// column returns column j of a as float64.
func column(a model.Matrix, j int) []float64 {
	out := make([]float64, a.Rows)
	for i := range out {
		out[i] = float64(a.At(i, j))
	}
	return out
}

// digitGrid tiles images into a grid of rows x cols digits, upscaled by
// scale, and draws it as a figure of the given size.
func (in figureInput) digitGrid(path string, images [][]float64, rows, cols, scale int, o plot.ImageOptions) error {
	img, err := plot.Tile(images, plot.Grid{Rows: rows, Cols: cols, Width: in.cols, Height: in.rows, Pad: pad})
	if err != nil {
		return err
	}
	big := plot.Upscale(img, scale)
	b := big.Bounds()
	// Room for the title and the axis labels around the image.
	return plot.Save(path, plot.ImageFigure(big, o), plot.Size{W: b.Dx() + 90, H: b.Dy() + 80})
}

func (in figureInput) samples(path, title string) error {
	rng := rand.New(rand.NewPCG(in.seed, 0x5a))
	x := in.m.Sample(64, 0, 1, rng)
	return in.digitGrid(path, rowsOf(x), 8, 8, 3, plot.ImageOptions{Title: title, XLabel: "64 independent draws, decoded means"})
}

func (in figureInput) classSamples(path, title string) error {
	rng := rand.New(rand.NewPCG(in.seed, 0x5b))
	var images [][]float64
	for d := range in.m.Config.Classes {
		images = append(images, rowsOf(in.m.Sample(10, d, 1, rng))...)
	}
	c := in.m.Config.Classes
	names := digitNames
	if c != len(digitNames) {
		names = make([]string, c)
		for i := range names {
			names[i] = strconv.Itoa(i)
		}
	}
	return in.digitGrid(path, images, c, 10, 3, plot.ImageOptions{
		Title: title, YLabel: "requested label", XLabel: "10 draws of z ~ N(0, I) per label, decoded means",
		RowNames: names,
	})
}

// reconstructions shows the first test images in pairs of rows: originals
// above, the decoded posterior means Decode(mu) below.
func (in figureInput) reconstructions(path, title string) error {
	n := in.x.Rows
	const perRow, pairs = 10, 4
	count := min(n, perRow*pairs)
	var labels []int
	if in.m.Config.Conditional() {
		labels = in.labels[:count]
	}
	recon := in.m.Decode(in.mu.RowSlice(0, count), labels)
	var images [][]float64
	var names []string
	for p := 0; p*perRow < count; p++ {
		lo, hi := p*perRow, min((p+1)*perRow, count)
		for i := lo; i < perRow*(p+1); i++ {
			if i < hi {
				images = append(images, row64(in.x, i))
			} else {
				images = append(images, make([]float64, in.m.Config.Input))
			}
		}
		for i := lo; i < hi; i++ {
			images = append(images, row64(recon, i))
		}
		for i := hi; i < perRow*(p+1); i++ {
			images = append(images, make([]float64, in.m.Config.Input))
		}
		names = append(names, "original", "reconstruction")
	}
	return in.digitGrid(path, images, len(names), perRow, 3, plot.ImageOptions{
		Title: title, XLabel: "first test images; reconstruction = decoded posterior mean", RowNames: names,
	})
}

// manifoldRange is how far from 0 the manifold grid reaches along each
// latent axis, in prior standard deviations.
const manifoldRange = 3

// manifoldGrid decodes a side x side grid of z evenly covering
// [-manifoldRange, manifoldRange]², top row at the largest z2, with label.
func (in figureInput) manifoldGrid(side, label int) model.Matrix {
	z := model.NewMatrix(side*side, 2, nil)
	step := 2.0 * manifoldRange / float64(side)
	for r := range side {
		for c := range side {
			row := z.Row(r*side + c)
			row[0] = float32(-manifoldRange + (float64(c)+0.5)*step)
			row[1] = float32(manifoldRange - (float64(r)+0.5)*step)
		}
	}
	var labels []int
	if in.m.Config.Conditional() {
		labels = make([]int, side*side)
		for i := range labels {
			labels[i] = label
		}
	}
	return in.m.Decode(z, labels)
}

func (in figureInput) manifold(path, title string) error {
	ext := [4]float64{-manifoldRange, -manifoldRange, manifoldRange, manifoldRange}
	if !in.m.Config.Conditional() {
		const side = 20
		img, err := plot.Tile(rowsOf(in.manifoldGrid(side, 0)), plot.Grid{Rows: side, Cols: side, Width: in.cols, Height: in.rows})
		if err != nil {
			return err
		}
		p := plot.ImageFigure(plot.Upscale(img, 2), plot.ImageOptions{Title: title + ": decoded means on a 20x20 grid of z", XLabel: "z1", YLabel: "z2", Extent: ext})
		return plot.Save(path, p, plot.Size{W: 1000, H: 1000})
	}
	// One small manifold per label, two rows of five.
	const side = 10
	c := in.m.Config.Classes
	cols := (c + 1) / 2
	grid := [][]*gplot.Plot{make([]*gplot.Plot, cols), make([]*gplot.Plot, cols)}
	for d := range c {
		img, err := plot.Tile(rowsOf(in.manifoldGrid(side, d)), plot.Grid{Rows: side, Cols: side, Width: in.cols, Height: in.rows})
		if err != nil {
			return err
		}
		grid[d/cols][d%cols] = plot.ImageFigure(plot.Upscale(img, 2), plot.ImageOptions{
			Title: fmt.Sprintf("label %d", d), XLabel: "z1", YLabel: "z2", Extent: ext,
		})
	}
	return plot.SaveTiles(path, grid, plot.Size{W: 340 * cols, H: 720})
}

func (in figureInput) scatter(path, title string) error {
	n := in.mu.Rows
	p, err := plot.ScatterFigure(fmt.Sprintf("%s: posterior means of %d images, by label", title, n), "mu1", "mu2",
		column(in.mu, 0), column(in.mu, 1), in.labels, digitNames)
	if err != nil {
		return err
	}
	return plot.Save(path, p, plot.Size{W: 900, H: 800})
}

// epochRow is one line of the trainer's log.
type epochRow struct {
	Epoch               int
	TrainLoss, TestLoss float64
	// ValidLoss is NaN when the run had no validation split (or the log
	// predates it).
	ValidLoss float64
}

// readLog reads the trainer's CSV log (epoch,train_loss,test_loss,...),
// finding columns by their header names.
func readLog(path string) ([]epochRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("log %s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, want := range []string{"epoch", "train_loss", "test_loss"} {
		if _, ok := col[want]; !ok {
			return nil, fmt.Errorf("log %s: no %q column in header %v", path, want, header)
		}
	}
	var rows []epochRow
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("log %s: %w", path, err)
		}
		var row epochRow
		if row.Epoch, err = strconv.Atoi(rec[col["epoch"]]); err != nil {
			return nil, fmt.Errorf("log %s line %d: epoch: %w", path, line, err)
		}
		if row.TrainLoss, err = strconv.ParseFloat(rec[col["train_loss"]], 64); err != nil {
			return nil, fmt.Errorf("log %s line %d: train_loss: %w", path, line, err)
		}
		if row.TestLoss, err = strconv.ParseFloat(rec[col["test_loss"]], 64); err != nil {
			return nil, fmt.Errorf("log %s line %d: test_loss: %w", path, line, err)
		}
		row.ValidLoss = math.NaN()
		if c, ok := col["valid_loss"]; ok && c < len(rec) && rec[c] != "" {
			if row.ValidLoss, err = strconv.ParseFloat(rec[c], 64); err != nil {
				return nil, fmt.Errorf("log %s line %d: valid_loss: %w", path, line, err)
			}
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("log %s: no epochs", path)
	}
	return rows, nil
}

func lossFigure(path, title string, history []epochRow) error {
	var train, test, valid plot.Series
	train.Name, test.Name = "train (mean over the epoch's batches)", "test (one z per image)"
	valid.Name = "validation (held-out training images, one z per image)"
	for _, r := range history {
		train.X, train.Y = append(train.X, float64(r.Epoch)), append(train.Y, r.TrainLoss)
		test.X, test.Y = append(test.X, float64(r.Epoch)), append(test.Y, r.TestLoss)
		if !math.IsNaN(r.ValidLoss) {
			valid.X, valid.Y = append(valid.X, float64(r.Epoch)), append(valid.Y, r.ValidLoss)
		}
	}
	series := []plot.Series{train, test}
	if len(valid.X) > 0 {
		series = append(series, valid)
	}
	p, err := plot.LineFigure(title, "epoch", "loss (nats per image)", series...)
	if err != nil {
		return err
	}
	if len(history) < 10 {
		ticks := make(gplot.ConstantTicks, len(history))
		for i, r := range history {
			ticks[i] = gplot.Tick{Value: float64(r.Epoch), Label: strconv.Itoa(r.Epoch)}
		}
		p.X.Tick.Marker = ticks
		p.X.Min, p.X.Max = float64(history[0].Epoch)-0.5, float64(history[len(history)-1].Epoch)+0.5
	}
	return plot.Save(path, p, plot.Size{W: 800, H: 500})
}
