"""Runs the PyTorch module of vaeplay's model package doc for TestPyTorch.

Reads a job as JSON on stdin: the folder holding the module (vaeplay.py, the
Python block of model/doc.go), a safetensors file of images "x" and labels
"y", and runs, each a weights file to load, a file to write the outputs to
and a file to save the loaded module to. Prints one JSON line per run: {} or
{"error": the traceback}.
"""
import json
import sys
import traceback

import torch

job = json.load(sys.stdin)
sys.path.insert(0, job["module"])
import vaeplay  # noqa: E402

torch.set_num_threads(1)  # the machine is shared; the batch is small
inputs, _ = vaeplay.load_file(job["inputs"])
x, labels = inputs["x"], inputs["y"].long()
for run in job["runs"]:
    try:
        vae = vaeplay.load(run["weights"])
        y = labels if vae.config["classes"] else None
        with torch.no_grad():
            mu, logvar = vae.encode(x, y)
            recon = vae.decode(mu, y)  # z = mu, so no noise to match
            loss = vaeplay.loss_function(recon, x, mu, logvar,
                                         vae.config["likelihood"], vae.config["beta"])
        outputs = {"mu": mu, "logvar": logvar, "recon": recon, "loss": loss.reshape(1)}
        vaeplay.save_file({k: v.contiguous() for k, v in outputs.items()}, run["out"])
        vaeplay.save(vae, run["saved"])
        print(json.dumps({}), flush=True)
    except Exception:
        print(json.dumps({"error": traceback.format_exc()}), flush=True)
