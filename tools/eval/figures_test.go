package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadLog(t *testing.T) {
	for _, tc := range []struct {
		name      string
		csv       string
		wantRows  int
		wantValid []float64 // NaN: none
		wantErr   string
	}{
		{"before validation", "epoch,train_loss,test_loss,test_recon,test_kl,epoch_s\n1,3,2,1,1,5\n2,2,1.5,1,0.5,5\n", 2, []float64{math.NaN(), math.NaN()}, ""},
		{"without a split", "epoch,train_loss,test_loss,test_recon,test_kl,epoch_s,valid_loss,lr\n1,3,2,1,1,5,,0.001\n", 1, []float64{math.NaN()}, ""},
		{"with a split", "epoch,train_loss,test_loss,test_recon,test_kl,epoch_s,valid_loss,lr\n1,3,2,1,1,5,2.5,0.001\n2,2,1.5,1,0.5,5,1.75,0.0005\n", 2, []float64{2.5, 1.75}, ""},
		{"bad validation", "epoch,train_loss,test_loss,valid_loss\n1,3,2,x\n", 0, nil, "valid_loss"},
		{"no test column", "epoch,train_loss\n1,3\n", 0, nil, `no "test_loss" column`},
		{"no epochs", "epoch,train_loss,test_loss\n", 0, nil, "no epochs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.log.csv")
			if err := os.WriteFile(path, []byte(tc.csv), 0o644); err != nil {
				t.Fatal(err)
			}
			rows, err := readLog(path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tc.wantRows {
				t.Fatalf("%d rows, want %d", len(rows), tc.wantRows)
			}
			for i, r := range rows {
				w := tc.wantValid[i]
				if (math.IsNaN(w) != math.IsNaN(r.ValidLoss)) || (!math.IsNaN(w) && w != r.ValidLoss) {
					t.Errorf("row %d: valid loss %v, want %v", i, r.ValidLoss, w)
				}
			}
			if err := lossFigure(filepath.Join(t.TempDir(), "loss.png"), "loss", rows); err != nil {
				t.Errorf("figure: %v", err)
			}
		})
	}
}
