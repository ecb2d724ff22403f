package classifier

import (
	"fmt"

	"vaeplay/model/nn"
)

// The network's feature maps are NHWC, in two layouts of the same order:
//
//   - by image: one row per image, holding its side x side x ch values,
//     pixel after pixel, the channels of each pixel together. The input
//     images (ch = 1) and the pooled maps are laid out so.
//   - by pixel: one row per pixel (image, y, x), one column per channel:
//     what a convolution, a Linear over one patch per row, computes.
//
// The functions below work on one image at a time, each image writing only
// its own output, so they run through nn.Parallel and give the same bits
// on any number of cores.

// im2col unfolds the k x k patches of the maps in (by image, side x side x
// ch) into rows, one per output pixel (image, y, x), with columns ordered
// (channel, ky, kx) as PyTorch lays out a convolution's weight: the
// convolution is then a Linear applied to the rows.
func im2col[T nn.Float](in nn.Matrix[T], side, ch, k int) nn.Matrix[T] {
	checkCols("im2col", in, side*side*ch)
	o := side - k + 1
	cols := nn.NewMatrix[T](in.Rows*o*o, ch*k*k, nil)
	nn.Parallel(in.Rows, func(img int) {
		src := in.Row(img)
		for y := range o {
			for x := range o {
				row := cols.Row((img*o+y)*o + x)
				if ch == 1 {
					// One channel: each kernel row is a run of k pixels.
					for ky := range k {
						copy(row[ky*k:(ky+1)*k], src[(y+ky)*side+x:])
					}
					continue
				}
				for ky := range k {
					for kx := range k {
						for c, v := range src[((y+ky)*side+x+kx)*ch:][:ch] {
							row[c*k*k+ky*k+kx] = v
						}
					}
				}
			}
		}
	})
	return cols
}

// col2im is the adjoint of im2col: it sums the gradients of the count
// images' patch rows back onto the maps (by image) they were unfolded
// from.
func col2im[T nn.Float](cols nn.Matrix[T], count, side, ch, k int) nn.Matrix[T] {
	o := side - k + 1
	if cols.Rows != count*o*o || cols.Cols != ch*k*k {
		panic(fmt.Sprintf("classifier: col2im of %d×%d patch rows for %d maps of %d×%d×%d and a %d×%d kernel",
			cols.Rows, cols.Cols, count, side, side, ch, k, k))
	}
	out := nn.NewMatrix[T](count, side*side*ch, nil)
	nn.Parallel(count, func(img int) {
		dst := out.Row(img)
		for y := range o {
			for x := range o {
				row := cols.Row((img*o+y)*o + x)
				for ky := range k {
					for kx := range k {
						px := dst[((y+ky)*side+x+kx)*ch:][:ch]
						for c := range px {
							px[c] += row[c*k*k+ky*k+kx]
						}
					}
				}
			}
		}
	})
	return out
}

// maxPool takes the maximum of each 2x2 block of the maps a (by pixel,
// side x side per image) and returns the pooled maps by image, with, for
// each pooled value, which of its block's four elements it came from: 0
// top left, 1 top right, 2 bottom left, 3 bottom right. Ties go to the
// first.
func maxPool[T nn.Float](a nn.Matrix[T], side int) (nn.Matrix[T], []uint8) {
	ch, o := a.Cols, side/2
	if a.Rows%(side*side) != 0 {
		panic(fmt.Sprintf("classifier: pooling %d pixel rows as maps of %d×%d", a.Rows, side, side))
	}
	count := a.Rows / (side * side)
	out := nn.NewMatrix[T](count, o*o*ch, nil)
	from := make([]uint8, count*o*o*ch)
	nn.Parallel(count, func(img int) {
		dst, sw := out.Row(img), from[img*o*o*ch:(img+1)*o*o*ch]
		for y := range o {
			for x := range o {
				r := img*side*side + 2*y*side + 2*x
				block := [4][]T{a.Row(r), a.Row(r + 1), a.Row(r + side), a.Row(r + side + 1)}
				i := (y*o + x) * ch
				for c := range ch {
					best := 0
					for q := 1; q < 4; q++ {
						if block[q][c] > block[best][c] {
							best = q
						}
					}
					dst[i+c], sw[i+c] = block[best][c], uint8(best)
				}
			}
		}
	})
	return out, from
}

// unpool is maxPool's backward pass: given the gradient d of the pooled
// maps (by image) and maxPool's switches, it returns the gradient of the
// side x side maps that were pooled (by pixel, ch columns): each pooled
// value's gradient goes to the element it came from, zero elsewhere.
func unpool[T nn.Float](d nn.Matrix[T], from []uint8, side, ch int) nn.Matrix[T] {
	o := side / 2
	checkCols("unpool", d, o*o*ch)
	count := d.Rows
	out := nn.NewMatrix[T](count*side*side, ch, nil)
	offset := [4]int{0, 1, side, side + 1}
	nn.Parallel(count, func(img int) {
		src, sw := d.Row(img), from[img*o*o*ch:(img+1)*o*o*ch]
		for y := range o {
			for x := range o {
				r := img*side*side + 2*y*side + 2*x
				i := (y*o + x) * ch
				for c := range ch {
					out.Data[(r+offset[sw[i+c]])*ch+c] = src[i+c]
				}
			}
		}
	})
	return out
}

// flatten turns maps by image (side x side x ch, NHWC) into rows ordered
// (channel, y, x), as nn.Flatten orders PyTorch's NCHW tensors, so that
// fc1's weight reads as PyTorch's.
func flatten[T nn.Float](a nn.Matrix[T], side, ch int) nn.Matrix[T] {
	checkCols("flatten", a, side*side*ch)
	out := nn.NewMatrix[T](a.Rows, a.Cols, nil)
	area := side * side
	nn.Parallel(a.Rows, func(img int) {
		src, dst := a.Row(img), out.Row(img)
		for p := range area {
			for c, v := range src[p*ch : (p+1)*ch] {
				dst[c*area+p] = v
			}
		}
	})
	return out
}

// unflatten is the inverse of flatten.
func unflatten[T nn.Float](flat nn.Matrix[T], side, ch int) nn.Matrix[T] {
	checkCols("unflatten", flat, side*side*ch)
	out := nn.NewMatrix[T](flat.Rows, flat.Cols, nil)
	area := side * side
	nn.Parallel(flat.Rows, func(img int) {
		src, dst := flat.Row(img), out.Row(img)
		for p := range area {
			px := dst[p*ch : (p+1)*ch]
			for c := range px {
				px[c] = src[c*area+p]
			}
		}
	})
	return out
}

// checkCols panics if the maps m do not have cols values per image: a bug
// in the network's code, since the public methods check their input.
func checkCols[T nn.Float](op string, m nn.Matrix[T], cols int) {
	if m.Cols != cols {
		panic(fmt.Sprintf("classifier: %s of maps of %d values, want %d", op, m.Cols, cols))
	}
}
