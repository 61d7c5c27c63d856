// Builds CRS's reflecting backend (albedo) for the ftw suite's response-phase tests: its version is pinned here,
// its checksums in go.sum (the Go checksum database is not reachable from this project's machines).
module wafcheck.local/albedo

go 1.24

require (
	github.com/coreruleset/albedo v0.3.0 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/cobra v1.10.1 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
