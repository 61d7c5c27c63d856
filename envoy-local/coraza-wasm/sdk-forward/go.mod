// Stand-in module path for upstream's old SDK import: every name forwards to the maintained SDK.
module github.com/tetratelabs/proxy-wasm-go-sdk

go 1.24

require github.com/proxy-wasm/proxy-wasm-go-sdk v0.0.0-20260105142703-44c7d5847745
