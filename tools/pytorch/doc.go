// Package pytorch holds no code, only a test: that the PyTorch module in the
// documentation of package model, in examples/vae's style, loads every
// shipped weights file and computes what the Go model computes.
//
// TestPyTorch takes the Python block out of model/doc.go itself, so the
// documentation cannot drift from what is tested, and runs it under
// Debian's python3-torch on every VAE and CVAE in weights/, as shipped
// (float32), in half precision as tools/halve writes it for the site, in
// bfloat16, in float64, and with its config asking for the Gaussian
// likelihood and beta 0.5, and on the site's own files when `make site` has
// built them. Without the safetensors package, which Debian lacks, that is
// also a test of the module's numpy reader and writer. On the first 16 MNIST
// test digits, the encoder's mu and logvar, the decoder's output at z = mu
// and loss_function there must agree with package model's within float32's
// rounding (see tolerance in the test), and the file the module saves must
// load with model.Load and compute exactly what the file it loaded computes.
// TestDocExample runs the block as a script, as a reader would, and loads
// the file its example saves.
//
// Run it with
//
//	make data torch
//	go test ./tools/pytorch -v
//
// Environment:
//
//	VAEPLAY_PYTHON  the Python with torch and numpy (default /usr/bin/python3,
//	                Debian's: not a python3 a version manager puts on PATH)
//	VAEPLAY_SITE    site folder whose weights/ to test too (default build/site;
//	                relative paths are taken from the module root)
//	CI              when "true", a missing torch or MNIST fails the tests
//	                instead of skipping them
//
// The largest differences measured are reported with t.Logf; run with -v to
// see them.
package pytorch
