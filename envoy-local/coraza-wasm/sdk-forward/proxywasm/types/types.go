// Package types forwards the context types and constants upstream's wasmplugin uses.
package types

import t "github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"

type (
	Action               = t.Action
	OnPluginStartStatus  = t.OnPluginStartStatus
	VMContext            = t.VMContext
	PluginContext        = t.PluginContext
	HttpContext          = t.HttpContext
	DefaultVMContext     = t.DefaultVMContext
	DefaultPluginContext = t.DefaultPluginContext
	DefaultHttpContext   = t.DefaultHttpContext
)

const (
	ActionContinue            = t.ActionContinue
	ActionPause               = t.ActionPause
	OnPluginStartStatusOK     = t.OnPluginStartStatusOK
	OnPluginStartStatusFailed = t.OnPluginStartStatusFailed
)

var ErrorStatusNotFound = t.ErrorStatusNotFound
