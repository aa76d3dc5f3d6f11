package kernels

// Test helpers of package kernels that the external tests (package
// kernels_test) share.
var WantParamError = wantParamError
