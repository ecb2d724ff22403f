package widget

// PanelSample, the default panel, shows the digit and, for the conditional
// VAE, its z under every label: a row whose cells choose their label. For
// the plain VAE the row shows the sample's style read by the conditional
// VAE.
const PanelSample Panel = "sample"

// SampleSpec is the sample panel: the digit and the row where ComputeLayout
// puts them.
var SampleSpec = PanelSpec{Name: PanelSample, Place: placeSample}

func placeSample(l *Layout, _ Rect) { l.CellsChoose = true }
