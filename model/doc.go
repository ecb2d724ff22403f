// Package model is a variational autoencoder (VAE) for images, optionally
// conditioned on a class label (CVAE), written on gonum. It holds all of the
// project's math and nothing else: no files, no network, no graphics, so it
// builds for js/wasm as it does natively.
//
// # The model
//
// For an image x of Config.Input pixels in [0, 1] and, for a CVAE, a one-hot
// label y of Config.Classes entries:
//
//	encoder   h = relu(fc_N(... relu(fc_1([x, y])))),  mu = W_mu h + b,  logvar = W_lv h + b
//	sample    z = mu + exp(logvar/2) * eps,  eps ~ N(0, I)   (Config.Latent entries)
//	decoder   x̂ = sigmoid(out(relu(fc_N(... relu(fc_1([z, y]))))))
//	loss      recon(x, x̂) + beta * KL(N(mu, exp(logvar)) || N(0, I))
//	          KL = -1/2 * sum(1 + logvar - mu² - exp(logvar))
//
// where recon is binary cross-entropy summed over pixels (Bernoulli) or the
// squared error (Gaussian). The loss is the negative ELBO when beta is 1.
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
// so that, for one hidden layer, this PyTorch module loads a file written by
// Save, and a file it writes loads here:
//
//	import json, torch
//	from torch import nn
//	from safetensors.torch import load_file, save_file
//
//	class Encoder(nn.Module):
//	    def __init__(self, input=784, hidden=400, latent=20, classes=0):
//	        super().__init__()
//	        self.fc1 = nn.Linear(input + classes, hidden)
//	        self.mu = nn.Linear(hidden, latent)
//	        self.logvar = nn.Linear(hidden, latent)
//
//	    def forward(self, x, y=None):  # y: one-hot labels, CVAE only
//	        h = torch.relu(self.fc1(x if y is None else torch.cat([x, y], 1)))
//	        return self.mu(h), self.logvar(h)
//
//	class Decoder(nn.Module):
//	    def __init__(self, input=784, hidden=400, latent=20, classes=0):
//	        super().__init__()
//	        self.fc1 = nn.Linear(latent + classes, hidden)
//	        self.out = nn.Linear(hidden, input)
//
//	    def forward(self, z, y=None):
//	        h = torch.relu(self.fc1(z if y is None else torch.cat([z, y], 1)))
//	        return torch.sigmoid(self.out(h))
//
//	class VAE(nn.Module):
//	    def __init__(self, **config):
//	        super().__init__()
//	        self.enc, self.dec = Encoder(**config), Decoder(**config)
//
//	vae = VAE(classes=0)
//	vae.load_state_dict(load_file("weights/vae.safetensors"))
//
//	config = {"input": 784, "hidden": [400], "latent": 20, "classes": 0,
//	          "likelihood": "bernoulli", "beta": 1}
//	save_file(vae.state_dict(), "mine.safetensors",
//	          metadata={"format": "vaeplay/1", "config": json.dumps(config)})
//
// Checkpoints written by SaveCheckpoint store float64 parameters and extra
// tensors named "optim.…"; drop those keys before load_state_dict.
package model
