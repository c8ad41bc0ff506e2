#!/usr/bin/env node
// Local Cosmos DB (NoSQL API) endpoint for development and tests.
//
//   node scripts/cosmos-server.js --port 8081 [--host 127.0.0.1]
//
// Runs the pinned @vercel/cosmosdb-server (package.json pins 1.0.1) with the defects that matter
// to this project fixed in memory before the server starts; node_modules stays untouched. The
// patches replace handler functions of that exact version, so re-check them when the pin moves.
//
// Patches (each one answers like real Cosmos DB does):
//   1. Point read of a missing id, or of an existing id under another partition key:
//      404 NotFound instead of a 500 "Cannot read properties of undefined".
//   2. A query sent with an `x-ms-documentdb-partitionkey` header (the SDK's
//      `query_items(partition_key=...)`) only sees that logical partition; stock ignores the
//      header and either refuses the query or silently returns rows of every partition.
//   3. Document operations on a database/container that does not exist answer 404 with
//      `x-ms-substatus: 1003` ("owner resource does not exist") instead of a 500 or a bare 404
//      that looks like a missing item. The server keeps data in memory only, so after a
//      restart the container is gone; the store recognises 1003 and re-creates it.
//   4. Keep-alive: stock closes the connection after every response, so every request pays a
//      new TLS handshake (20-25 ops/s). Connections are now kept open, and kept open longer
//      than the client's own idle limit (aiohttp drops idle sockets after 15 s) so the client
//      never reuses a socket the server has just closed.
//   5. A write sent with `Prefer: return=minimal` (the SDK's `no_response=True`) is answered
//      without the document, its etag in the header; stock sends the whole document back.
//   6. A patch copies only what it changes (the objects on its paths) and applies its
//      operations to those copies (stock deep-copies the whole document once per operation);
//      the answers are the same, the local server's cost for a big document (~120 KB) no
//      longer dwarfs the client's.
//   7. A point read sent with `If-None-Match: <the item's etag>` answers 304 Not Modified
//      with no body, as Cosmos DB does; stock ignores the header and sends the item.
//
// HTTPS, not plain HTTP: production Cosmos DB is HTTPS-only, so tests exercise the same TLS
// path, and the account metadata (which advertises https://) needs no patch. The bundled
// certificate is self-signed and expired; azure-cosmos skips certificate checks for
// `localhost` and `127.0.0.1` endpoints, which is why the default host is 127.0.0.1.
//
// It checks no credentials: any key the SDK can sign with (valid base64) is accepted.

"use strict";

const path = require("path");

const PKG = "@vercel/cosmosdb-server";
const EXPECTED_VERSION = "1.0.1";
const KEEP_ALIVE_MS = 65_000;

function usage(message) {
  if (message) process.stderr.write(`cosmos-server: ${message}\n`);
  process.stderr.write("usage: node scripts/cosmos-server.js --port N [--host 127.0.0.1]\n");
  process.exit(2);
}

function parseArgs(argv) {
  const args = { host: "127.0.0.1", port: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    const key = argv[i];
    const value = argv[i + 1];
    if (key === "--port" || key === "-p") {
      args.port = Number.parseInt(value, 10);
      i += 1;
    } else if (key === "--host") {
      if (!value) usage("--host needs a value");
      args.host = value;
      i += 1;
    } else if (key === "--help" || key === "-h") {
      usage();
    } else {
      usage(`unknown argument ${key}`);
    }
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
    usage("--port N is required");
  }
  return args;
}

// Resolve the package from the project root (scripts/..), whatever the working directory.
function pkgModule(sub) {
  const root = path.resolve(__dirname, "..");
  return require(require.resolve(`${PKG}/${sub}`, { paths: [root] }));
}

function checkVersion() {
  const { version } = pkgModule("package.json");
  if (version !== EXPECTED_VERSION) {
    process.stderr.write(
      `cosmos-server: ${PKG} ${version} is installed, the patches are written for ` +
        `${EXPECTED_VERSION}; run npm ci\n`
    );
    process.exit(3);
  }
}

const PRECONDITION_FAILED = {
  code: "PreconditionFailed",
  message: "Operation cannot be performed because one of the specified precondition is not met."
};
const NOT_FOUND = {
  code: "NotFound",
  message: "Entity with the specified id does not exist in the system."
};

function partitionHeader(req) {
  const header = req.headers["x-ms-documentdb-partitionkey"];
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw || raw === "[{}]") return undefined;
  try {
    const parsed = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch (err) {
    return undefined;
  }
}

function isTrue(req, name) {
  return String(req.headers[name] || "").toLowerCase() === "true";
}

// The collection's partition key paths as lists of property names ("/pk" -> ["pk"]).
function partitionPaths(collectionData) {
  const paths = ((collectionData && collectionData.partitionKey) || {}).paths || [];
  return paths.map(p => p.slice(1).split("/")).filter(p => p.join("/") !== "_partitionKey");
}

function valueAt(keys, obj) {
  return keys.reduce((acc, key) => (acc == null ? undefined : acc[key]), obj);
}

// One JSON Patch operation (Cosmos DB's set/add/replace/remove/incr) applied to `doc`, a
// shallow copy of the stored document. Each object or array on the path is copied (once per
// patch, `copied` holds the copies) before it changes, so the stored document is never
// touched and a patch costs what it changes, not what the document weighs.
function applyCopying(doc, { op, path, value }, copied) {
  if (typeof path !== "string" || !path.startsWith("/") || path.startsWith("/_")) {
    throw new Error(`Invalid path ${path}.`);
  }
  const names = path
    .slice(1)
    .split("/")
    .map(name => name.replace(/~1/g, "/").replace(/~0/g, "~"));
  const key = names.pop();
  let parent = doc;
  for (const name of names) {
    let child = parent === null || typeof parent !== "object" ? undefined : parent[name];
    if (child !== null && typeof child === "object" && !copied.has(child)) {
      child = Array.isArray(child) ? child.slice() : { ...child };
      copied.add(child);
      parent[name] = child;
    }
    parent = child;
  }
  if (parent === null || typeof parent !== "object") {
    throw new Error(`No node at ${path}.`);
  }
  if (Array.isArray(parent)) {
    const index = key === "-" && op === "add" ? parent.length : Number.parseInt(key, 10);
    const limit = op === "add" ? parent.length : parent.length - 1;
    if (Number.isNaN(index) || index < 0 || index > limit) {
      throw new Error("Index to operate on is out of array bounds.");
    }
    if (op === "add") parent.splice(index, 0, value);
    else if (op === "remove") parent.splice(index, 1);
    else if (op === "set" || op === "replace") parent[index] = value;
    else if (op === "incr") parent[index] = (parent[index] || 0) + value;
    else throw new Error(`Unsupported patch operation: ${op}`);
    return;
  }
  const present = Object.prototype.hasOwnProperty.call(parent, key);
  if ((op === "remove" || op === "replace") && !present) {
    throw new Error(`Node ${path} is absent.`);
  }
  if (op === "remove") delete parent[key];
  else if (op === "set" || op === "add" || op === "replace") parent[key] = value;
  else if (op === "incr") parent[key] = (parent[key] || 0) + value;
  else throw new Error(`Unsupported patch operation: ${op}`);
}

function patch() {
  const { parsePartitionKey } = pkgModule("lib/utils/get-partition-from-header");
  const getPartitionFromHeader = pkgModule("lib/utils/get-partition-from-header").default;
  const { readOperation } = pkgModule("lib/handler/_document-operations");
  const readItems = pkgModule("lib/handler/_read-items").default;
  const readJson = pkgModule("lib/json").default;

  // 1. Point read: 404 for a missing id or a wrong partition.
  const readDocument = async (account, req, res, { dbId, collId, docId }) => {
    const collection = account.database(dbId).collection(collId);
    const partitionKey = getPartitionFromHeader(req);
    const data = collection.document(docId, parsePartitionKey(partitionKey, docId)).read();
    const clientKeys = partitionHeader(req);
    // Items.document() falls back to a lookup by _rid, so check the partition explicitly.
    const mismatch =
      data &&
      clientKeys &&
      partitionPaths(collection.read()).some((keys, i) => valueAt(keys, data) !== clientKeys[i]);
    if (!data || mismatch) {
      res.statusCode = 404;
      return { ...NOT_FOUND };
    }
    if (req.headers["if-none-match"] && req.headers["if-none-match"] === data._etag) {
      res.statusCode = 304; // 7.
      return undefined;
    }
    const result = readOperation(collection, { partitionKey, id: docId });
    res.statusCode = result.statusCode;
    return result.body;
  };

  // 2. Query scoped to the partition named in the header (as Cosmos DB does).
  const stockQuery = pkgModule("lib/handler/query-documents").default;
  const queryDocuments = async (account, req, res, params) => {
    const clientKeys = partitionHeader(req);
    if (!clientKeys || isTrue(req, "x-ms-documentdb-query-enablecrosspartition")) {
      return stockQuery(account, req, res, params);
    }
    return readItems(req, res, "Documents", async ({ continuation, maxItemCount }) => {
      const body = await readJson(req);
      if (!body.query) {
        res.statusCode = 400;
        return { code: "BadRequest", message: "missing query" };
      }
      const collection = account.database(params.dbId).collection(params.collId);
      const collectionData = collection.read();
      const paths = partitionPaths(collectionData);
      const { documents } = collection;
      // Same as Items.query() of 1.0.1, over the documents of one partition only.
      const data = [...documents._data.values()]
        .map(item => item.read())
        .filter(doc => paths.every((keys, i) => valueAt(keys, doc) === clientKeys[i]));
      const indexingPolicy = collectionData.indexingPolicy || {};
      try {
        return documents._getQuery(body.query).exec(data, {
          parameters: body.parameters,
          udf: documents._userDefinedFunctions(),
          maxItemCount,
          continuation,
          compositeIndexes: indexingPolicy.compositeIndexes || []
        });
      } catch (err) {
        // Stock answers 400 for every parse or evaluation error of a query.
        res.statusCode = 400;
        return { code: "BadRequest", message: err.message };
      }
    });
  };

  pkgModule("lib/handler/read-document").default = readDocument;
  pkgModule("lib/handler/query-documents").default = queryDocuments;

  // 3. Every document route: 404/1003 when the database or container is missing.
  const documentHandlers = [
    "create-document",
    "read-document",
    "read-documents",
    "query-documents",
    "replace-document",
    "upsert-document",
    "delete-document",
    "patch-document",
    "batch-documents"
  ];
  // 5. `Prefer: return=minimal`: the etag in the header, no document in the body.
  for (const name of ["create-document", "replace-document", "upsert-document", "patch-document"]) {
    const mod = pkgModule(`lib/handler/${name}`);
    const inner = mod.default;
    mod.default = async (account, req, res, params) => {
      const body = await inner(account, req, res, params);
      const minimal = req.headers.prefer === "return=minimal" && res.statusCode < 300;
      return minimal && body && body._etag ? { _etag: body._etag } : body;
    };
  }

  // 6. A patch on copies of what it changes. Stock semantics otherwise: 404 for a missing
  //    document, 412 for a stale If-Match, 400 (and nothing changed) for more than 10
  //    operations or one that cannot apply. Conditional patches (a filter predicate) keep
  //    the stock handler.
  const patchOperations = pkgModule("lib/handler/_patch-operations");
  const stockPatch = patchOperations.patchOperation;
  patchOperations.patchOperation = (collection, input) => {
    if (input.condition) {
      return stockPatch(collection, input);
    }
    const data = collection.document(input.id, parsePartitionKey(input.partitionKey, input.id)).read();
    if (!data) {
      return { statusCode: 404, body: {} };
    }
    if (input.ifMatch && input.ifMatch !== data._etag) {
      return { statusCode: 412, body: { ...PRECONDITION_FAILED } };
    }
    let patched;
    try {
      if (input.operations.length > 10) {
        throw new Error("The number of patch operations can't exceed 10.");
      }
      patched = { ...data };
      const copied = new Set([patched]);
      input.operations.forEach((operation, i) => {
        try {
          applyCopying(patched, operation, copied);
        } catch (error) {
          throw new Error(`For Operation(${i}): ${error.message}`);
        }
      });
    } catch (error) {
      return { statusCode: 400, body: { code: "BadRequest", message: error.message } };
    }
    return { statusCode: 200, body: collection.documents.replace(patched, data) };
  };

  for (const name of documentHandlers) {
    const mod = pkgModule(`lib/handler/${name}`);
    const inner = mod.default;
    mod.default = async (account, req, res, params) => {
      if (!account.database(params.dbId).collection(params.collId).read()) {
        res.statusCode = 404;
        res.setHeader("x-ms-substatus", "1003");
        return {
          code: "NotFound",
          message: `Owner resource does not exist: dbs/${params.dbId}/colls/${params.collId}`
        };
      }
      return inner(account, req, res, params);
    };
  }
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  checkVersion();
  // The handlers are captured when lib/routes.js is first loaded (by lib/index.js), so the
  // patches must be in place before the server module is required.
  patch();
  const { createHttpsServer } = pkgModule("lib/index.js");

  // 4. keepAlive makes the stock request handler answer `connection: keep-alive`.
  const server = createHttpsServer({ keepAlive: true });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;

  server.on("error", err => {
    process.stderr.write(`cosmos-server: ${err.message}\n`);
    process.exit(1);
  });
  server.listen(args.port, args.host, () => {
    const { port } = server.address();
    const host = args.host.includes(":") ? `[${args.host}]` : args.host;
    process.stdout.write(`cosmos-server ready at https://${host}:${port}/\n`);
  });

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main();
