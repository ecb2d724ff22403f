// Package model is a variational autoencoder (VAE) for images, optionally
// conditioned on a class label (CVAE), written on gonum. It holds all of the
// project's math and nothing else: no files, no network, no graphics, so it
// builds for js/wasm as it does natively. It computes in float32, as PyTorch
// does; the matrix products run on one SIMD kernel natively and in the
// browser (package vaeplay/model/nn and its gemm kernel).
//
// # The model
//
// For an image x of Config.Input pixels in [0, 1] and, for a CVAE, a one-hot
// label y of Config.Classes entries:
//
//	encode          h = relu(fc_N(... relu(fc_1([x, y])))),  mu = W_mu h + b,  logvar = W_lv h + b
//	reparameterize  z = mu + exp(logvar/2) * eps,  eps ~ N(0, I)   (Config.Latent entries)
//	decode          x̂ = sigmoid(out(relu(fc_N(... relu(fc_1([z, y]))))))
//	loss_function   recon(x, x̂) + beta * KL(N(mu, exp(logvar)) || N(0, I))
//	                KL = -1/2 * sum(1 + logvar - mu² - exp(logvar))
//
// where recon is binary cross-entropy summed over pixels (Bernoulli) or the
// squared error (Gaussian). The loss is the negative ELBO when beta is 1.
// Each line is one function here, named as in PyTorch's examples/vae:
// VAE.Encode, Reparameterize, VAE.Decode and VAE.LossFunction, and
// VAE.Evaluate chains them for a batch. VAE.Gradient runs the same forward
// pass with a tape (nn.Tape) and then the backward pass; Trainer takes Adam
// steps with it.
//
// Beside the ELBO, the measures of a trained model:
//
//	TestLoss        the loss per image as PyTorch's example reports its test loss
//	LogLikelihood   log p(x) by importance sampling with k samples (Burda et al. 2015)
//	LatentKL        the KL term per latent dimension, over a data set
//	NELBOAtMean     each image's negative ELBO at z = mu: an anomaly score
//
// VAE is generic over its element type only so that the tests can run the
// same code in float64 to check gradients by finite differences; the
// project's models are Model, a VAE[float32].
//
// # Weights files
//
// Save and Load use the safetensors format (package
// vaeplay/model/safetensors). Tensors are float32 and named as the
// state_dict of the PyTorch module below; the header's __metadata__ holds
// "format": "vaeplay/1" and "config": the Config as JSON, for example
//
//	{"input":784,"hidden":[400],"latent":20,"classes":0,"likelihood":"bernoulli","beta":1}
//
// plus whatever else the writer chose to keep, such as training metrics. The
// tensors, for hidden widths h1 … hN (the decoder mirrors them):
//
//	enc.fc1.weight    [h1, Input+Classes]   enc.fc1.bias  [h1]
//	enc.fcI.weight    [hI, h(I-1)]          enc.fcI.bias  [hI]     I = 2 … N
//	enc.mu.weight     [Latent, hN]          enc.mu.bias   [Latent]
//	enc.logvar.weight [Latent, hN]          enc.logvar.bias [Latent]
//	dec.fc1.weight    [hN, Latent+Classes]  dec.fc1.bias  [hN]
//	dec.fcI.weight    [h(N+1-I), h(N+2-I)]  dec.fcI.bias  [h(N+1-I)]  I = 2 … N
//	dec.out.weight    [Input, h1]           dec.out.bias  [Input]
//
// The PyTorch module below, written as PyTorch's examples/vae is, builds
// itself from the config in a file's metadata, so it loads every file Save
// writes, whatever its depth, label count or precision, with
// load_state_dict(strict=True), and save writes a file that Load reads. Where
// the safetensors package is missing (Debian has no python3-safetensors),
// load_file and save_file fall back to a few lines of numpy. The test in
// vaeplay/tools/pytorch runs this very code on the shipped weights and
// compares it with this package:
//
//	import json
//
//	import torch
//	from torch import nn
//	from torch.nn import functional as F
//
//	try:
//	    from safetensors import safe_open
//	    from safetensors.torch import save_file
//
//	    def load_file(path):
//	        with safe_open(path, "pt") as f:
//	            return {k: f.get_tensor(k) for k in f.keys()}, f.metadata()
//	except ImportError:  # no safetensors package: the format is simple enough
//	    import numpy as np
//
//	    DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2"}
//
//	    def load_file(path):
//	        with open(path, "rb") as f:
//	            n = int.from_bytes(f.read(8), "little")  # the JSON header's length
//	            header, data = json.loads(f.read(n)), f.read()
//	        metadata = header.pop("__metadata__", {})
//	        tensors = {}
//	        for name, t in header.items():
//	            begin, end = t["data_offsets"]
//	            a = np.frombuffer(data[begin:end], DTYPES[t["dtype"]])
//	            if t["dtype"] == "BF16":  # the top half of a float32
//	                a = (a.astype("<u4") << 16).view("<f4")
//	            tensors[name] = torch.from_numpy(a.astype(np.float32)).reshape(t["shape"])
//	        return tensors, metadata
//
//	    def save_file(tensors, path, metadata=None):
//	        header, offset = {"__metadata__": metadata or {}}, 0
//	        for name, t in tensors.items():
//	            header[name] = {"dtype": "F32", "shape": list(t.shape),
//	                            "data_offsets": [offset, offset + 4 * t.numel()]}
//	            offset += 4 * t.numel()
//	        h = json.dumps(header).encode()
//	        h += b" " * (-len(h) % 8)  # pad the header as safetensors does
//	        with open(path, "wb") as f:
//	            f.write(len(h).to_bytes(8, "little") + h)
//	            for t in tensors.values():
//	                f.write(np.asarray(t, "<f4").tobytes())
//
//	def linears(sizes):  # fc1, fc2, ... from each size to the next
//	    return {f"fc{i}": nn.Linear(a, b) for i, (a, b) in enumerate(zip(sizes, sizes[1:]), 1)}
//
//	class VAE(nn.Module):
//	    def __init__(self, input=784, hidden=(400,), latent=20, classes=0,
//	                 likelihood="bernoulli", beta=1.0):
//	        super().__init__()
//	        self.config = dict(input=input, hidden=list(hidden), latent=latent,
//	                           classes=classes, likelihood=likelihood, beta=beta)
//	        self.enc = nn.ModuleDict(linears([input + classes, *hidden]))
//	        self.enc.mu = nn.Linear(hidden[-1], latent)
//	        self.enc.logvar = nn.Linear(hidden[-1], latent)
//	        self.dec = nn.ModuleDict(linears([latent + classes, *hidden[::-1]]))
//	        self.dec.out = nn.Linear(hidden[0], input)
//
//	    def label(self, x, y):  # a CVAE sees the one-hot label y beside x and z
//	        if y is None:
//	            return x
//	        return torch.cat([x, F.one_hot(y, self.config["classes"]).to(x)], 1)
//
//	    def encode(self, x, y=None):
//	        *fcs, mu, logvar = self.enc.values()
//	        h = self.label(x, y)
//	        for fc in fcs:
//	            h = F.relu(fc(h))
//	        return mu(h), logvar(h)
//
//	    def reparameterize(self, mu, logvar):
//	        std = torch.exp(0.5 * logvar)
//	        eps = torch.randn_like(std)
//	        return mu + eps * std
//
//	    def decode(self, z, y=None):
//	        *fcs, out = self.dec.values()
//	        h = self.label(z, y)
//	        for fc in fcs:
//	            h = F.relu(fc(h))
//	        return torch.sigmoid(out(h))
//
//	    def forward(self, x, y=None):
//	        mu, logvar = self.encode(x.view(-1, self.config["input"]), y)
//	        z = self.reparameterize(mu, logvar)
//	        return self.decode(z, y), mu, logvar
//
//	# Reconstruction + beta * KL divergence losses summed over all elements and batch
//	def loss_function(recon_x, x, mu, logvar, likelihood="bernoulli", beta=1.0):
//	    x = x.view_as(recon_x)
//	    if likelihood == "gaussian":
//	        recon = F.mse_loss(recon_x, x, reduction="sum")
//	    else:
//	        recon = F.binary_cross_entropy(recon_x, x, reduction="sum")
//	    # Appendix B of Kingma and Welling, Auto-Encoding Variational Bayes, 2014
//	    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
//	    return recon + beta * KLD
//
//	def load(path):  # any file Save, SaveHalf or SaveCheckpoint writes
//	    tensors, metadata = load_file(path)
//	    vae = VAE(**json.loads(metadata["config"]))
//	    params = {k: v for k, v in tensors.items() if not k.startswith("optim.")}
//	    vae.load_state_dict(params, strict=True)
//	    return vae
//
//	def save(vae, path):  # float32, as Save writes
//	    config = json.dumps(vae.config)
//	    save_file(vae.state_dict(), path, {"format": "vaeplay/1", "config": config})
//
//	if __name__ == "__main__":
//	    vae = load("weights/cvae.safetensors")
//	    with torch.no_grad():
//	        y = torch.arange(10)  # one of each digit
//	        x = vae.decode(torch.randn(10, vae.config["latent"]), y)
//	        recon, mu, logvar = vae(x, y)
//	        loss = loss_function(recon, x, mu, logvar, vae.config["likelihood"], vae.config["beta"])
//	    print(f"loss {loss.item() / len(x):.2f} nats per image")
//	    save(vae, "mine.safetensors")
//
// load drops the tensors named "optim.…" that SaveCheckpoint adds (optimizer
// state, no part of the module) and reads F16, BF16 and F64 tensors as the
// module's float32.
package model
