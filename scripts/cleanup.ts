// `npm run cleanup [-- --all]`: removes containers and networks left by killed runs (or all of ours).
import { parseArgs } from "node:util";
import { reportFatal } from "../harness/errors.ts";
import { connectDocker } from "../harness/artifacts/index.ts";
import { reap } from "../harness/stack/index.ts";

const { values } = parseArgs({ options: { all: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
if (values.help) {
  console.log("Usage: npm run cleanup [-- --all]\nRemoves wafcheck containers/networks whose run is gone; --all also removes those of running stacks.");
} else {
  connectDocker()
    .then((client) => reap(client, { all: values.all }))
    .then(({ containers, networks }) => console.log(`removed ${containers} container(s) and ${networks} network(s)`))
    .catch(reportFatal);
}
