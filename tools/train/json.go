package main

import (
	"encoding/json"
	"io"
)

// jsonEpochs is the -json output: each epoch's figures as one JSON object a
// line, named as in the CSV log (epochLog's fields: epoch, train_loss,
// test_loss, test_recon, test_kl, epoch_s, valid_loss, lr), for programs
// that read the trainer's results, such as make bench's summary. The lines
// meant for a person go to standard error instead.
type jsonEpochs struct {
	enc *json.Encoder
	err error // the first write that failed
}

func newJSONEpochs(w io.Writer) *jsonEpochs { return &jsonEpochs{enc: json.NewEncoder(w)} }

// epoch writes e; it is the run's onEpoch hook.
func (j *jsonEpochs) epoch(e epochLog) {
	if j.err == nil {
		j.err = j.enc.Encode(e)
	}
}
