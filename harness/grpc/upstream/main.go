// A minimal gRPC upstream for wafcheck's gRPC probe: one unary method, /wafcheck.Echo/Search, whose request and
// response are google.protobuf.StringValue (field 1, a string), so no generated code and no reflection are needed.
// It answers with the string it received, so the probe can tell that a payload reached the app unchanged.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

type echoServer interface {
	Search(context.Context, *wrapperspb.StringValue) (*wrapperspb.StringValue, error)
}

type echo struct{}

func (echo) Search(ctx context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
	// The request's metadata header x-search and the payload's length, back as response headers.
	headers := metadata.Pairs("x-received-length", strconv.Itoa(len(in.GetValue())))
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md.Get("x-search"); len(v) > 0 {
			headers.Append("x-received-search", v[0])
		}
	}
	_ = grpc.SetHeader(ctx, headers)
	return wrapperspb.String(in.GetValue()), nil
}

func searchHandler(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
	in := new(wrapperspb.StringValue)
	if err := dec(in); err != nil {
		return nil, err
	}
	return srv.(echoServer).Search(ctx, in)
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: "wafcheck.Echo",
	HandlerType: (*echoServer)(nil),
	Methods:     []grpc.MethodDesc{{MethodName: "Search", Handler: searchHandler}},
	Metadata:    "wafcheck/echo",
}

func main() {
	port := flag.Int("port", 8080, "port to listen on")
	flag.Parse()
	listener, err := net.Listen("tcp", fmt.Sprintf("0.0.0.0:%d", *port))
	if err != nil {
		log.Fatal(err)
	}
	server := grpc.NewServer()
	server.RegisterService(&serviceDesc, echo{})
	log.Printf("grpc upstream listening on :%d", *port)
	log.Fatal(server.Serve(listener))
}
