// Package main is the plug-in's entry point. With -buildmode=c-shared main() never runs, so the
// VM context is registered in init(). Upstream's faster wasilibs operators are left out: they target
// TinyGo, and standard Go would run their re2 through an interpreter.
package main

import (
	"github.com/corazawaf/coraza-proxy-wasm/wasmplugin"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
)

func init() {
	proxywasm.SetVMContext(wasmplugin.NewVMContext())
}

func main() {}
