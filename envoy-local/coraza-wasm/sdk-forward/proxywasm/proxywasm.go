// Package proxywasm forwards the host calls upstream's wasmplugin uses to the maintained SDK.
package proxywasm

import pw "github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"

type MetricCounter = pw.MetricCounter

var (
	SetVMContext            = pw.SetVMContext
	DefineCounterMetric     = pw.DefineCounterMetric
	GetPluginConfiguration  = pw.GetPluginConfiguration
	GetProperty             = pw.GetProperty
	GetHttpRequestBody      = pw.GetHttpRequestBody
	GetHttpRequestHeader    = pw.GetHttpRequestHeader
	GetHttpRequestHeaders   = pw.GetHttpRequestHeaders
	GetHttpResponseBody     = pw.GetHttpResponseBody
	GetHttpResponseHeader   = pw.GetHttpResponseHeader
	GetHttpResponseHeaders  = pw.GetHttpResponseHeaders
	ReplaceHttpResponseBody = pw.ReplaceHttpResponseBody
	SendHttpResponse        = pw.SendHttpResponse
	LogTrace                = pw.LogTrace
	LogTracef               = pw.LogTracef
	LogDebug                = pw.LogDebug
	LogDebugf               = pw.LogDebugf
	LogInfo                 = pw.LogInfo
	LogInfof                = pw.LogInfof
	LogWarn                 = pw.LogWarn
	LogWarnf                = pw.LogWarnf
	LogError                = pw.LogError
	LogErrorf               = pw.LogErrorf
	LogCritical             = pw.LogCritical
	LogCriticalf            = pw.LogCriticalf
)
