// Microsoft's own validators for what Bravo sends to Teams, as a line-oriented filter the Python tests drive.
//
// Reads one JSON request per line on stdin, writes one JSON result per line on stdout, in order:
//   {"kind": "card", "card": {...}}          an Adaptive Card, parsed and validated by the `adaptivecards` library
//                                              with the Teams host configuration (teams-host-config.json)
//   {"kind": "manifest", "manifest": {...}}  a Teams app manifest (or its localisation file), validated against the
//                                              schema `@microsoft/app-manifest` ships for the version it names
//   {"kind": "versions"}                     the versions of the libraries in use
// A request may carry an "id", echoed in its result. Results: {"id", "ok", "errors": [...], "warnings": [...]}.
//
// Nothing here touches the network: a manifest whose schema is not in the package is reported, never fetched.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// The package's `lib/` build is ES modules with extension-less imports, which Node cannot load; `dist/` is the same
// library bundled as one UMD file, which loads in Node without a DOM (parsing and validation need none).
const AC = require("adaptivecards/dist/adaptivecards.js");
const { AppManifestUtils } = require("@microsoft/app-manifest");
const Ajv04 = require("ajv-draft-04");
const addFormats = require("ajv-formats");

const HOST_CONFIG = JSON.parse(readFileSync(join(here, "teams-host-config.json"), "utf8"));
const MAX_VERSION = [1, 5]; // Teams shows Adaptive Cards up to 1.5 on desktop and mobile
const MAX_CARD_BYTES = 80 * 1024; // Teams refuses bot messages past ~100 KB; cards stay under ~80 KB
const SCHEMA_ROOT = join(dirname(require.resolve("@microsoft/app-manifest")), "json-schemas");
// Events the library raises that Teams renders anyway; everything else is an error.
const WARNING_EVENTS = new Set([AC.ValidationEvent.Hint, AC.ValidationEvent.Deprecated]);

function describe(event) {
  const name = AC.ValidationEvent[event.event] ?? String(event.event);
  const source = event.source && event.source.getJsonTypeName ? ` (${event.source.getJsonTypeName()})` : "";
  return `${name}${source}: ${event.message}`;
}

// Teams' people picker is an Input.ChoiceSet with no static choices that Teams fills from `choices.data`
// (a Data.Query on graph.microsoft.com/users); the library, which knows no dataset, wants at least one choice.
function teamsFilled(event, pickers) {
  return event.event === AC.ValidationEvent.CollectionCantBeEmpty && pickers.has(event.source && event.source.id);
}

function sortEvents(events, errors, warnings, pickers) {
  for (const event of events) {
    if (teamsFilled(event, pickers)) {
      warnings.push(`${describe(event)} (a people picker: Teams fills it from choices.data)`);
    } else {
      (WARNING_EVENTS.has(event.event) ? warnings : errors).push(describe(event));
    }
  }
}

function peoplePickers(node, found) {
  if (Array.isArray(node)) {
    node.forEach((item) => peoplePickers(item, found));
  } else if (node !== null && typeof node === "object") {
    const query = node["choices.data"];
    if (node.type === "Input.ChoiceSet" && query && query.type === "Data.Query" && query.dataset) {
      found.add(node.id);
    }
    Object.values(node).forEach((value) => peoplePickers(value, found));
  }
  return found;
}

// Every action list in the card: the card's own actions, each ActionSet's, and those of Action.ShowCard cards.
// Teams holds each list to the host config's `maxActions` (6), as Microsoft's renderers do (one ActionCollection per
// list); Microsoft's Bot Framework docs team: "each card in both Channels and Chats can support up to 6 primary
// actions", the 7th and later going to an overflow menu (MicrosoftDocs/bot-docs#2161), and cards with several
// ActionSets of up to 6 each show them all (atc0005/go-teams-notify#161).
function actionLists(node, path, found) {
  if (Array.isArray(node)) {
    node.forEach((item, index) => actionLists(item, `${path}[${index}]`, found));
    return found;
  }
  if (node === null || typeof node !== "object") {
    return found;
  }
  if (Array.isArray(node.actions) && (node.type === "AdaptiveCard" || node.type === "ActionSet")) {
    found.push([`${path}.actions`, node.actions.length]);
  }
  for (const [key, value] of Object.entries(node)) {
    if (key !== "fallback") {
      actionLists(value, `${path}.${key}`, found);
    }
  }
  return found;
}

// The card's size as botbuilder sends it: Python's `json.dumps` escapes every non-ASCII character (`\u0634`, six
// bytes; an emoji is a pair of them), so non-Latin text weighs up to six times its characters on the wire.
function wireBytes(json) {
  return JSON.stringify(json).replace(/[\u0080-\uffff]/g, "\\uXXXX").length;
}

function versionProblem(version) {
  const match = /^(\d+)\.(\d+)$/.exec(String(version ?? ""));
  if (!match) {
    return `version: ${JSON.stringify(version)} is not a card version such as "1.5"`;
  }
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major > MAX_VERSION[0] || (major === MAX_VERSION[0] && minor > MAX_VERSION[1])) {
    return `version: ${version} is newer than ${MAX_VERSION.join(".")}, the newest Teams shows everywhere`;
  }
  return null;
}

function validateCard(json) {
  const errors = [];
  const warnings = [];
  if (json === null || typeof json !== "object" || json.type !== "AdaptiveCard") {
    return { errors: ['type: not an AdaptiveCard (expected {"type": "AdaptiveCard", ...})'], warnings };
  }
  const card = new AC.AdaptiveCard();
  card.hostConfig = new AC.HostConfig(HOST_CONFIG);
  const context = new AC.SerializationContext();
  try {
    card.parse(json, context);
  } catch (error) {
    return { errors: [`the library could not parse the card: ${error}`], warnings };
  }
  const parsed = [];
  for (let index = 0; index < context.eventCount; index++) {
    parsed.push(context.getEventAt(index));
  }
  const pickers = peoplePickers(json, new Set());
  sortEvents(parsed, errors, warnings, pickers);
  sortEvents(card.validateProperties().validationEvents, errors, warnings, pickers);
  const maxActions = card.hostConfig.actions.maxActions;
  for (const [path, count] of actionLists(json, "card", [])) {
    if (count > maxActions) {
      errors.push(`${path}: ${count} actions, Teams shows only the first ${maxActions} (host config maxActions)`);
    }
  }
  const version = versionProblem(json.version);
  if (version) {
    errors.push(version);
  }
  const bytes = wireBytes(json);
  if (bytes > MAX_CARD_BYTES) {
    errors.push(`size: ${bytes} bytes of JSON, more than the ${MAX_CARD_BYTES} a Teams card should stay under`);
  }
  return { errors: [...new Set(errors)], warnings: [...new Set(warnings)] };
}

// The packaged schema for a manifest: the one its `$schema` names, else the one of its `manifestVersion`.
function schemaFor(manifest) {
  const candidates = [];
  if (typeof manifest.$schema === "string") {
    const suffix = AppManifestUtils.getLocalSchemaSuffix(manifest.$schema);
    if (!suffix) {
      return { problem: `$schema: ${manifest.$schema} is not a Microsoft Teams schema address` };
    }
    candidates.push(join(SCHEMA_ROOT, suffix.replace(/^json-schemas\//, "")));
  } else if (typeof manifest.manifestVersion === "string") {
    candidates.push(join(SCHEMA_ROOT, "teams", `v${manifest.manifestVersion}`, "MicrosoftTeams.schema.json"));
  } else {
    return { problem: "neither $schema nor manifestVersion says which schema applies" };
  }
  const versioned = /\/teams\/v([^/]+)\//.exec(manifest.$schema ?? "");
  if (versioned && manifest.manifestVersion !== undefined && versioned[1] !== manifest.manifestVersion) {
    return { problem: `$schema names v${versioned[1]} but manifestVersion is ${manifest.manifestVersion}` };
  }
  try {
    const raw = readFileSync(candidates[0], "utf8");
    return { schema: JSON.parse(raw.replace(/\\a/g, "\\u0007").replace(/\\v/g, "\\u000b")) };
  } catch {
    return { problem: `no schema in @microsoft/app-manifest for ${manifest.$schema ?? manifest.manifestVersion}` };
  }
}

async function validateManifest(manifest) {
  if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) {
    return { errors: ["the manifest is not a JSON object"], warnings: [] };
  }
  const { schema, problem } = schemaFor(manifest);
  if (problem) {
    return { errors: [problem], warnings: [] };
  }
  try {
    return { errors: await AppManifestUtils.validateAgainstSchema(manifest, schema), warnings: [] };
  } catch (error) {
    if (!(error instanceof SyntaxError)) {
      throw error;
    }
    // Some of Microsoft's schemas (the localisation files') hold patterns that are not valid Unicode regular
    // expressions, which the package's Ajv refuses to compile; the same schema, compiled without the `u` flag.
    const ajv = new Ajv04({ allErrors: true, strictTypes: false, unicodeRegExp: false });
    addFormats(ajv, ["uri", "email", "regex"]);
    const validate = ajv.compile(schema);
    const errors = validate(manifest) ? [] : validate.errors.map((e) => `${e.instancePath} ${e.message ?? ""}`);
    return { errors, warnings: [`schema compiled without Unicode regular expressions: ${error.message}`] };
  }
}

function versions() {
  const own = (name) => require(`${name}/package.json`).version;
  return { adaptivecards: own("adaptivecards"), "@microsoft/app-manifest": own("@microsoft/app-manifest") };
}

async function handle(request) {
  switch (request.kind) {
    case "card":
      return validateCard(request.card);
    case "manifest":
      return validateManifest(request.manifest);
    case "versions":
      return { errors: [], warnings: [], versions: versions() };
    default:
      return { errors: [`unknown kind ${JSON.stringify(request.kind)}`], warnings: [] };
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) {
    continue;
  }
  let result;
  let id = null;
  try {
    const request = JSON.parse(line);
    id = request.id ?? null;
    result = await handle(request);
  } catch (error) {
    result = { errors: [`the validator failed: ${error && error.stack ? error.stack : error}`], warnings: [] };
  }
  process.stdout.write(`${JSON.stringify({ id, ok: result.errors.length === 0, ...result })}\n`);
}
