// Package safetensors is a small, strict, streaming codec for the
// safetensors file format, restricted to the F32, F64 and BF16 dtypes that
// the optimizer checkpoints use.
//
// A file is an 8-byte little-endian header length N, N bytes of UTF-8 JSON
// describing each tensor (dtype, shape, data_offsets) plus an optional
// "__metadata__" string map, and then the data section, in which every
// tensor occupies [begin, end) as raw little-endian row-major bytes.
//
// Encode and Decode handle only the prefix (length and header), so callers
// stream tensor data straight between their slices and the file with Write
// and Read, never holding a second copy of it. Decode validates everything
// the header claims against the file size before any data is read, so a
// corrupt or truncated checkpoint is reported up front rather than as a
// half-restored optimizer.
package safetensors
