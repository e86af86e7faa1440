// The shape of every object kdisco reads, checked where it enters (manifest files, API bodies): the fields of
// types.ts with their JSON types, then the rules the API server enforces on the ones that end up in DNS names,
// addresses or messages (names, hostnames, IPs, ports, protocols). What passes can be read by the rest of kdisco
// without a type check of its own; what fails is one sentence naming the field path. Unknown fields are not looked
// at. The walk over the input is iterative (a work stack), so no nesting depth or list length can overflow the call
// stack, and it allocates nothing per value on the way: a path is only put together for the one field that failed.
import {isDns1035Label, isDns1123Label, isDns1123Subdomain} from '../dns/names.js'
import {isIPv4, parseIPv6} from '../dns/ip.js'
import {quote} from '../errors.js'
import {SERVICE_NAME_LABEL} from './types.js'
import {isLabelKey, isLabelValue, LABEL_KEY_RULE, LABEL_VALUE_RULE} from './labels.js'

const STR = 0
const INT = 1
const BOOL = 2
const INT_OR_STR = 3
const OBJ = 4
const LIST = 5
const MAP = 6

type Schema =
  | {t: typeof STR; values?: Record<string, true>}
  | {t: typeof INT | typeof BOOL | typeof INT_OR_STR}
  | ObjSchema
  | {t: typeof LIST | typeof MAP; of: Schema}

interface ObjSchema {
  t: typeof OBJ
  keys: string[]
  fields: Schema[]
  required: boolean[]
}

const str: Schema = {t: STR}
const int: Schema = {t: INT}
const bool: Schema = {t: BOOL}
const intOrStr: Schema = {t: INT_OR_STR}
/** A string from a fixed set (a prototype-less object: one property load per check). */
const oneOf = (...values: string[]): Schema => ({t: STR, values: Object.assign(Object.create(null) as Record<string, true>, Object.fromEntries(values.map((v) => [v, true])))})
const list = (of: Schema): Schema => ({t: LIST, of})
const map = (of: Schema): Schema => ({t: MAP, of})
/** An object; fields named with a trailing `!` are required. */
function obj(fields: Record<string, Schema>): ObjSchema {
  const keys = Object.keys(fields)
  return {t: OBJ, keys: keys.map((k) => k.replace(/!$/, '')), fields: keys.map((k) => fields[k]), required: keys.map((k) => k.endsWith('!'))}
}

// ---- the kinds kdisco reads (types.ts) ----------------------------------------------------------------------

const PROTOCOL = oneOf('TCP', 'UDP', 'SCTP')
const strings = list(str)
const labels = map(str)
const META = obj({
  name: str,
  namespace: str,
  generateName: str,
  uid: str,
  labels,
  annotations: labels,
  creationTimestamp: str,
  deletionTimestamp: str,
  resourceVersion: str,
  ownerReferences: list(obj({apiVersion: str, 'kind!': str, 'name!': str, uid: str, controller: bool})),
})
const SELECTOR = obj({matchLabels: labels, matchExpressions: list(obj({'key!': str, 'operator!': oneOf('In', 'NotIn', 'Exists', 'DoesNotExist'), values: strings}))})
const OBJECT_REF = obj({kind: str, namespace: str, name: str, uid: str})
const PROBE = obj({
  httpGet: obj({path: str, 'port!': intOrStr}),
  tcpSocket: obj({'port!': intOrStr}),
  exec: obj({command: strings}),
  grpc: obj({'port!': int}),
  initialDelaySeconds: int,
  periodSeconds: int,
})
const CONTAINER = obj({'name!': str, image: str, ports: list(obj({name: str, 'containerPort!': int, protocol: PROTOCOL})), readinessProbe: PROBE})
const CONTAINER_STATE = obj({reason: str, message: str, exitCode: int, startedAt: str, finishedAt: str})
const CONTAINER_STATUS = obj({'name!': str, ready: bool, restartCount: int, started: bool, state: map(CONTAINER_STATE), lastState: map(CONTAINER_STATE)})
const POD_SPEC = obj({
  hostname: str,
  subdomain: str,
  setHostnameAsFQDN: bool,
  hostNetwork: bool,
  dnsPolicy: oneOf('ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'),
  dnsConfig: obj({nameservers: strings, searches: strings, options: list(obj({'name!': str, value: str}))}),
  hostAliases: list(obj({'ip!': str, hostnames: strings})),
  nodeName: str,
  containers: list(CONTAINER),
  ephemeralContainers: list(obj({'name!': str, image: str})),
  enableServiceLinks: bool,
  activeDeadlineSeconds: int,
})
const POD_TEMPLATE = obj({metadata: obj({labels}), spec: POD_SPEC})
const BACKEND = obj({service: obj({'name!': str, port: obj({name: str, number: int})}), serviceName: str, servicePort: intOrStr})

const KINDS: Record<string, ObjSchema> = {
  Service: obj({
    spec: obj({
      type: oneOf('ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'),
      clusterIP: str,
      clusterIPs: strings,
      ipFamilies: list(oneOf('IPv4', 'IPv6')),
      ipFamilyPolicy: str,
      selector: labels,
      ports: list(obj({name: str, protocol: PROTOCOL, 'port!': int, targetPort: intOrStr, nodePort: int, appProtocol: str})),
      externalName: str,
      externalIPs: strings,
      publishNotReadyAddresses: bool,
      sessionAffinity: str,
      sessionAffinityConfig: obj({clientIP: obj({timeoutSeconds: int})}),
      externalTrafficPolicy: str,
      internalTrafficPolicy: str,
    }),
    status: obj({loadBalancer: obj({ingress: list(obj({ip: str, hostname: str}))})}),
  }),
  EndpointSlice: obj({
    'addressType!': oneOf('IPv4', 'IPv6', 'FQDN'),
    endpoints: list(obj({'addresses!': strings, conditions: obj({ready: bool, serving: bool, terminating: bool}), hostname: str, targetRef: OBJECT_REF, nodeName: str, zone: str})),
    ports: list(obj({name: str, protocol: PROTOCOL, port: int, appProtocol: str})),
  }),
  Endpoints: obj({
    subsets: list(
      obj({
        addresses: list(obj({'ip!': str, hostname: str, nodeName: str, targetRef: OBJECT_REF})),
        notReadyAddresses: list(obj({'ip!': str, hostname: str, nodeName: str, targetRef: OBJECT_REF})),
        ports: list(obj({name: str, 'port!': int, protocol: PROTOCOL, appProtocol: str})),
      }),
    ),
  }),
  Pod: obj({
    spec: POD_SPEC,
    status: obj({
      phase: str,
      reason: str,
      message: str,
      podIP: str,
      podIPs: list(obj({'ip!': str})),
      hostIP: str,
      conditions: list(obj({'type!': str, status: str, reason: str, message: str})),
      containerStatuses: list(CONTAINER_STATUS),
      ephemeralContainerStatuses: list(CONTAINER_STATUS),
    }),
  }),
  StatefulSet: obj({'spec!': obj({serviceName: str, replicas: int, selector: SELECTOR, template: POD_TEMPLATE, ordinals: obj({start: int})})}),
  Deployment: obj({'spec!': obj({replicas: int, selector: SELECTOR, template: POD_TEMPLATE})}),
  ReplicaSet: obj({'spec!': obj({replicas: int, selector: SELECTOR, template: POD_TEMPLATE})}),
  ConfigMap: obj({data: labels}),
  Namespace: obj({}),
  Ingress: obj({
    spec: obj({
      defaultBackend: BACKEND,
      backend: BACKEND,
      rules: list(obj({host: str, http: obj({paths: list(obj({path: str, pathType: str, 'backend!': BACKEND}))})})),
    }),
  }),
  // What dns doctor reads of CoreDNS's permissions.
  ClusterRoleBinding: obj({roleRef: obj({kind: str, name: str}), subjects: list(obj({kind: str, name: str, namespace: str}))}),
  ClusterRole: obj({rules: list(obj({apiGroups: strings, resources: strings, verbs: strings}))}),
}
/** A kubeconfig file: the fields kubectl reads (client-go's clientcmd/api/v1). */
const KUBECONFIG = obj({
  apiVersion: str,
  kind: str,
  'current-context': str,
  clusters: list(
    obj({
      'name!': str,
      'cluster!': obj({'server!': str, 'certificate-authority': str, 'certificate-authority-data': str, 'insecure-skip-tls-verify': bool, 'tls-server-name': str, 'proxy-url': str}),
    }),
  ),
  users: list(
    obj({
      'name!': str,
      user: obj({
        token: str,
        tokenFile: str,
        'token-file': str,
        username: str,
        password: str,
        'client-certificate': str,
        'client-certificate-data': str,
        'client-key': str,
        'client-key-data': str,
        as: str,
        exec: obj({
          'command!': str,
          args: strings,
          env: list(obj({'name!': str, 'value!': str})),
          apiVersion: str,
          interactiveMode: oneOf('Never', 'IfAvailable', 'Always'),
          provideClusterInfo: bool,
          installHint: str,
        }),
        'auth-provider': obj({'name!': str, config: labels}),
      }),
    }),
  ),
  contexts: list(obj({'name!': str, 'context!': obj({'cluster!': str, user: str, namespace: str})})),
})

const ROOT: Record<string, ObjSchema> = {}
for (const [kind, schema] of Object.entries(KINDS)) {
  ROOT[kind] = obj({'apiVersion': str, 'kind!': str, 'metadata!': META})
  ROOT[kind].keys.push(...schema.keys)
  ROOT[kind].fields.push(...schema.fields)
  ROOT[kind].required.push(...schema.required)
}
const ANY_KIND = obj({apiVersion: str, 'kind!': str, 'metadata!': META})

/** Whether kdisco knows the shape of this kind (the others are only checked for kind and metadata). */
export function readsKind(kind: string): boolean {
  return Object.hasOwn(ROOT, kind)
}

// ---- the walk --------------------------------------------------------------------------------------------

/** An object that is not what kdisco reads: `detail` names the object, the field path and what is wrong. */
export class ObjectError extends Error {
  /** `field`: the path of the field at fault (`spec.ports[0].port`), when there is one. */
  constructor(
    readonly detail: string,
    readonly field?: string,
  ) {
    super(detail)
    this.name = 'ObjectError'
  }
}

/** "a number", "a list", "null": what a value is, for messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  switch (typeof value) {
    case 'string':
      return 'a string'
    case 'number':
      return 'a number'
    case 'boolean':
      return 'a boolean'
    default:
      return 'a mapping'
  }
}

function expectation(schema: Schema, value: unknown): string {
  switch (schema.t) {
    case STR:
      return schema.values && typeof value === 'string' ? `must be one of ${Object.keys(schema.values).join(', ')}, got ${quote(value)}` : `must be a string, got ${describeValue(value)}`
    case INT:
      return typeof value === 'number' ? `must be a whole number (32 bits), got ${value}` : `must be an integer, got ${describeValue(value)}`
    case BOOL:
      return `must be true or false, got ${describeValue(value)}`
    case INT_OR_STR:
      return typeof value === 'number' ? `must be a whole number (32 bits) or a name, got ${value}` : `must be an integer or a string, got ${describeValue(value)}`
    case LIST:
      return `must be a list, got ${describeValue(value)}`
    default:
      return `must be a mapping, got ${describeValue(value)}`
  }
}

function pathStep(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `.${key}` : `[${quote(key)}]`
}

/** The path from the root to `target` (an object or list met during the walk), found by walking again. */
function pathTo(root: object, schema: ObjSchema, target: object): string {
  const values: unknown[] = [root]
  const schemas: Schema[] = [schema]
  const paths: string[] = ['']
  while (values.length > 0) {
    const v = values.pop() as Record<string, unknown> & unknown[]
    const s = schemas.pop()!
    const p = paths.pop()!
    if (v === target) return p
    const visit = (child: unknown, cs: Schema, step: string | number) => {
      if (child !== null && typeof child === 'object' && (cs.t === OBJ || cs.t === LIST || cs.t === MAP)) {
        values.push(child)
        schemas.push(cs)
        paths.push(p + pathStep(step))
      }
    }
    if (s.t === OBJ) for (let i = 0; i < s.keys.length; i++) visit(v[s.keys[i] as never], s.fields[i], s.keys[i])
    else if (s.t === LIST && Array.isArray(v)) for (let i = 0; i < v.length; i++) visit(v[i], s.of, i)
    else if (s.t === MAP) for (const k in v) visit(v[k as never], (s as {of: Schema}).of, k)
  }
  return ''
}

/** The field path of `container[key]` below root, without a leading dot. */
function fieldPath(root: object, schema: ObjSchema, container: object, key: string | number): string {
  return (pathTo(root, schema, container) + pathStep(key)).replace(/^\./, '')
}

// Each object, list and map schema is compiled into a small function (at start-up, from the static schema above;
// never from input): a fixed property load per field gives V8 one inline cache per field, several times faster than
// a generic loop over field names, which matters at 100k pods. A checker tests its value's fields, pushes the
// containers among them onto the work stack, and returns the first field that fails.

/** What a checker found wrong: the container, the key, the value and the schema it failed. */
interface Failure {
  container: object
  key: string | number
  value: unknown
  schema: Schema
}
interface Stack {
  values: unknown[]
  checkers: Checker[]
  top: number
}
type Checker = (v: never, stack: Stack, fail: (container: object, key: string | number, value: unknown, schema: number) => Failure) => Failure | undefined

const compiledSchemas: Schema[] = []
const checkerOf = new Map<Schema, number>()
const checkers: Checker[] = []

/** JavaScript for "`c` (the value at container[key]) has the type of `schema`"; containers are pushed. */
function testCode(schema: Schema, key: string): string {
  const sid = compiledSchemas.push(schema) - 1
  const fail = `return fail(v, ${key}, c, ${sid})`
  switch (schema.t) {
    case STR: {
      const values = schema.values ? Object.keys(schema.values) : undefined
      return values ? `if (${values.map((x) => `c !== ${JSON.stringify(x)}`).join(' && ')}) ${fail}` : `if (typeof c !== 'string') ${fail}`
    }
    case INT:
      return `if ((c | 0) !== c) ${fail}`
    case BOOL:
      return `if (typeof c !== 'boolean') ${fail}`
    case INT_OR_STR:
      return `if (typeof c !== 'string' && (c | 0) !== c) ${fail}`
    case LIST:
      return `if (!Array.isArray(c)) ${fail}; stack.values[stack.top] = c; stack.checkers[stack.top++] = checkers[${compile(schema)}]`
    default:
      return `if (typeof c !== 'object' || Array.isArray(c)) ${fail}; stack.values[stack.top] = c; stack.checkers[stack.top++] = checkers[${compile(schema)}]`
  }
}

/** The index of the checker for an object, list or map schema, compiled on first use. */
function compile(schema: Schema): number {
  const known = checkerOf.get(schema)
  if (known !== undefined) return known
  const id = checkers.push(undefined as unknown as Checker) - 1
  checkerOf.set(schema, id)
  let body: string
  if (schema.t === OBJ) {
    body = schema.keys
      .map((k, i) => {
        const key = JSON.stringify(k)
        const absent = schema.required[i] ? `{ const c = v[${key}]; return fail(v, ${key}, c, -1) }` : `{ if (c === null) v[${key}] = undefined }`
        return `c = v[${key}]\nif (c === undefined || c === null) ${absent} else { ${testCode(schema.fields[i], key)} }`
      })
      .join('\n')
    body = `let c\n${body}`
  } else if (schema.t === LIST) {
    body = `for (let i = 0; i < v.length; i++) { const c = v[i]; if (c === null || c === undefined) return fail(v, i, c, ${compiledSchemas.push(schema.of) - 1}); ${testCode(schema.of, 'i')} }`
  } else {
    const of = (schema as {of: Schema}).of
    body = `for (const k in v) { const c = v[k]; if (c === null || c === undefined) return fail(v, k, c, ${compiledSchemas.push(of) - 1}); ${testCode(of, 'k')} }`
  }
  // The code is made from the static schema above only; input never reaches it.
  checkers[id] = new Function('checkers', `return function (v, stack, fail) {\n${body}\nreturn undefined\n}`)(checkers) as Checker
  return id
}

const stack: Stack = {values: [], checkers: [], top: 0}
const failWith = (container: object, key: string | number, value: unknown, schema: number): Failure => ({container, key, value, schema: compiledSchemas[schema]})

/** A field that is not what kdisco reads: its path (`spec.ports[0].port`) and what is wrong with it. */
interface FieldProblem {
  path: string
  problem: string
}

/**
 * Checks `root` against `schema`. Null in a field means the field is absent, as in the API's JSON (it becomes
 * undefined); returns the field path and the problem of the first field that is not what the schema says.
 */
function checkShape(root: Record<string, unknown>, schema: ObjSchema): FieldProblem | undefined {
  stack.top = 0
  stack.values[stack.top] = root
  stack.checkers[stack.top++] = checkers[compile(schema)]
  let failed: Failure | undefined
  while (stack.top > 0 && failed === undefined) {
    const v = stack.values[--stack.top]
    failed = stack.checkers[stack.top](v as never, stack, failWith)
  }
  if (failed === undefined) return undefined
  const problem = failed.schema === undefined ? (failed.value === null ? 'must not be null' : 'is missing') : expectation(failed.schema, failed.value)
  return {path: fieldPath(root, schema, failed.container, failed.key), problem}
}

// ---- the API server's rules for the fields that become DNS names, addresses and messages --------------------

function isPathSegment(name: string): boolean {
  return name !== '.' && name !== '..' && !/[/%\u0000-\u001f\u007f]/.test(name)
}

const LABEL_RULE = "a lowercase RFC 1123 label (a-z, 0-9 and '-', at most 63 characters)"
const NAME_RULES: Record<string, {check: (s: string) => boolean; rule: string}> = {
  Service: {check: isDns1035Label, rule: "a lowercase RFC 1035 label (a-z, 0-9 and '-', starting with a letter, at most 63 characters)"},
  Namespace: {check: isDns1123Label, rule: LABEL_RULE},
  // RBAC objects are named like path segments (system:coredns).
  ClusterRole: {check: isPathSegment, rule: "a path segment (no '/', no control characters, not . or ..)"},
  ClusterRoleBinding: {check: isPathSegment, rule: "a path segment (no '/', no control characters, not . or ..)"},
}
const SUBDOMAIN_RULE = "a lowercase RFC 1123 subdomain (a-z, 0-9, '-' and '.', at most 253 characters)"
const KIND_NAME = /^[A-Za-z][A-Za-z0-9]*$/

const isIp = (s: string) => isIPv4(s) || parseIPv6(s) !== undefined
/** A DNS name as the API server takes it in externalName and dnsConfig.searches, that can also go on the wire: a subdomain whose labels have at most 63 characters, one trailing dot allowed. */
const isDomain = (s: string) => s !== '' && isDns1123Subdomain(s.endsWith('.') ? s.slice(0, -1) : s, true)

// Each rule returns the field at fault and "<value> <problem>", or undefined. Plain loops, no closures: they run for
// every pod.
const badLabel = (path: string, v: string): FieldProblem => ({path, problem: `${quote(v)} is not valid: it must be ${LABEL_RULE}`})
const label = (path: string, v: string | undefined) => (v === undefined || isDns1123Label(v) ? undefined : badLabel(path, v))
const optionalLabel = (path: string, v: string | undefined) => (v === undefined || v === '' || isDns1123Label(v) ? undefined : badLabel(path, v))
const notIp = (path: string, v: string): FieldProblem => ({path, problem: `${quote(v)} is not an IP address`})
const ip = (path: string, v: string | undefined) => (v === undefined || isIp(v) ? undefined : notIp(path, v))
const optionalIp = (path: string, v: string | undefined) => (v === undefined || v === '' || isIp(v) ? undefined : notIp(path, v))
const subdomain = (path: string, v: string | undefined): FieldProblem | undefined => (v === undefined || v === '' || isDns1123Subdomain(v) ? undefined : {path, problem: `${quote(v)} is not valid: it must be ${SUBDOMAIN_RULE}`})
const domain = (path: string, v: string | undefined): FieldProblem | undefined => (v === undefined || v === '' || isDomain(v) ? undefined : {path, problem: `${quote(v)} is not a valid DNS name: it must be ${SUBDOMAIN_RULE}, each label at most 63 characters`})
const port = (path: string, v: number | null | undefined): FieldProblem | undefined => (v === undefined || v === null || (v >= 1 && v <= 65535) ? undefined : {path, problem: `${v} is out of range: ports are whole numbers from 1 to 65535`})
const clusterIp = (path: string, v: string): FieldProblem | undefined => (v === '' || v === 'None' || isIp(v) ? undefined : {path, problem: `${quote(v)} is not an IP address: use an IP address, or None for a headless Service`})

type Loose = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** Keys and values of a label map (a Service's selector) that the API server takes as labels. */
function labelsRule(path: string, labels: Record<string, string> | undefined): FieldProblem | undefined {
  for (const key in labels) {
    if (!isLabelKey(key)) return {path: path + pathStep(key), problem: `key ${quote(key)} is not a valid label key: it must be ${LABEL_KEY_RULE}`}
    const problem = labelValueRule(path + pathStep(key), labels[key])
    if (problem) return problem
  }
  return undefined
}

function labelValueRule(path: string, value: string | undefined): FieldProblem | undefined {
  return value === undefined || isLabelValue(value) ? undefined : {path, problem: `${quote(value)} is not a valid label value: it must be ${LABEL_VALUE_RULE}`}
}

/** A named port of a Service, EndpointSlice or Endpoints: its number in range and its name a DNS label. */
function portRule(path: string, p: Loose, numberField: string): FieldProblem | undefined {
  return port(`${path}.${numberField}`, p[numberField]) ?? optionalLabel(`${path}.name`, p.name)
}

/** A reference to an endpoint's pod: with endpoint_pod_names the pod's name is the endpoint's DNS label. */
function targetRefRule(path: string, ref: Loose | undefined): FieldProblem | undefined {
  return ref === undefined ? undefined : (subdomain(`${path}.name`, ref.name) ?? optionalLabel(`${path}.namespace`, ref.namespace))
}

function serviceRule(o: Loose): FieldProblem | undefined {
  const spec = o.spec
  if (spec === undefined) return undefined
  let problem = spec.clusterIP === undefined ? undefined : clusterIp('spec.clusterIP', spec.clusterIP)
  const ips: string[] = spec.clusterIPs ?? []
  for (let i = 0; i < ips.length && problem === undefined; i++) problem = clusterIp(`spec.clusterIPs[${i}]`, ips[i])
  // The API server keeps the two in step (it fills in the one left out); given both, they must agree.
  if (problem === undefined && spec.clusterIP !== undefined && spec.clusterIP !== '' && ips.length > 0 && ips[0] !== spec.clusterIP)
    problem = {path: 'spec.clusterIPs[0]', problem: `${quote(ips[0])} must match clusterIP ${quote(spec.clusterIP)}`}
  problem ??= labelsRule('spec.selector', spec.selector)
  const ports: Loose[] = spec.ports ?? []
  // Names and (port, protocol) pairs are unique: where each was first seen (maps only for a Service with ports).
  const names = ports.length > 1 ? new Map<string, number>() : undefined
  const pairs = ports.length > 1 ? new Map<string, number>() : undefined
  for (let i = 0; i < ports.length && problem === undefined; i++) {
    const p = ports[i]
    const target = p.targetPort
    problem = portRule(`spec.ports[${i}]`, p, 'port') ?? (typeof target === 'string' ? label(`spec.ports[${i}].targetPort`, target) : port(`spec.ports[${i}].targetPort`, target))
    // nodePort 0 asks the API server to pick one; whether a port number is in the cluster's node port range is KD120.
    if (problem === undefined && p.nodePort !== undefined && p.nodePort !== 0) problem = port(`spec.ports[${i}].nodePort`, p.nodePort)
    if (problem !== undefined || names === undefined || pairs === undefined) continue
    // With more than one port each needs a name (the _<name>._<proto> SRV names and EndpointSlice ports go by it).
    if (p.name === undefined || p.name === '') {
      problem = {path: `spec.ports[${i}].name`, problem: 'is required when a Service has more than one port'}
      continue
    }
    const protocol: string = p.protocol ?? 'TCP'
    const pair = `${p.port}/${protocol}`
    const sameName = names.get(p.name)
    const samePair = pairs.get(pair)
    if (sameName !== undefined) problem = {path: `spec.ports[${i}].name`, problem: `${quote(p.name)} is a duplicate value: spec.ports[${sameName}] has the same name`}
    else if (samePair !== undefined) problem = {path: `spec.ports[${i}]`, problem: `port ${pair} is a duplicate value: spec.ports[${samePair}] has the same port and protocol`}
    names.set(p.name, i)
    pairs.set(pair, i)
  }
  const externalIPs: string[] = spec.externalIPs ?? []
  for (let i = 0; i < externalIPs.length && problem === undefined; i++) problem = ip(`spec.externalIPs[${i}]`, externalIPs[i])
  problem ??= domain('spec.externalName', spec.externalName)
  const ingress: Loose[] = o.status?.loadBalancer?.ingress ?? []
  for (let i = 0; i < ingress.length && problem === undefined; i++) problem = optionalIp(`status.loadBalancer.ingress[${i}].ip`, ingress[i].ip) ?? subdomain(`status.loadBalancer.ingress[${i}].hostname`, ingress[i].hostname)
  return problem
}

function endpointSliceRule(o: Loose): FieldProblem | undefined {
  const family = o.addressType as string
  const endpoints: Loose[] = o.endpoints ?? []
  // The Service the slice belongs to: a label value like any other.
  let problem = labelValueRule(`metadata.labels${pathStep(SERVICE_NAME_LABEL)}`, o.metadata.labels?.[SERVICE_NAME_LABEL])
  for (let i = 0; i < endpoints.length && problem === undefined; i++) {
    const e = endpoints[i]
    const addresses: string[] = e.addresses
    if (addresses.length === 0) problem = {path: `endpoints[${i}].addresses`, problem: 'must contain at least 1 address'}
    for (let j = 0; j < addresses.length && problem === undefined; j++) {
      const a = addresses[j]
      if (family === 'IPv4' ? !isIPv4(a) : family === 'IPv6' ? parseIPv6(a) === undefined : !isDomain(a))
        problem = {path: `endpoints[${i}].addresses[${j}]`, problem: `${quote(a)} is not ${family === 'FQDN' ? 'a valid DNS name' : `an ${family} address`} (addressType ${family})`}
    }
    problem ??= label(`endpoints[${i}].hostname`, e.hostname) ?? subdomain(`endpoints[${i}].nodeName`, e.nodeName) ?? targetRefRule(`endpoints[${i}].targetRef`, e.targetRef)
  }
  const ports: Loose[] = o.ports ?? []
  for (let i = 0; i < ports.length && problem === undefined; i++) problem = portRule(`ports[${i}]`, ports[i], 'port')
  return problem
}

function endpointsRule(o: Loose): FieldProblem | undefined {
  const subsets: Loose[] = o.subsets ?? []
  let problem: FieldProblem | undefined
  for (let i = 0; i < subsets.length && problem === undefined; i++) {
    for (const field of ['addresses', 'notReadyAddresses']) {
      const addresses: Loose[] = subsets[i][field] ?? []
      for (let j = 0; j < addresses.length && problem === undefined; j++) {
        const path = `subsets[${i}].${field}[${j}]`
        problem = ip(`${path}.ip`, addresses[j].ip) ?? optionalLabel(`${path}.hostname`, addresses[j].hostname) ?? targetRefRule(`${path}.targetRef`, addresses[j].targetRef)
      }
    }
    const ports: Loose[] = subsets[i].ports ?? []
    for (let j = 0; j < ports.length && problem === undefined; j++) problem = portRule(`subsets[${i}].ports[${j}]`, ports[j], 'port')
  }
  return problem
}

function podRule(o: Loose): FieldProblem | undefined {
  const spec = o.spec
  let problem: FieldProblem | undefined
  if (spec !== undefined) {
    problem = optionalLabel('spec.hostname', spec.hostname) ?? optionalLabel('spec.subdomain', spec.subdomain)
    const aliases: Loose[] = spec.hostAliases ?? []
    for (let i = 0; i < aliases.length && problem === undefined; i++) {
      problem = ip(`spec.hostAliases[${i}].ip`, aliases[i].ip)
      const names: string[] = aliases[i].hostnames ?? []
      for (let j = 0; j < names.length && problem === undefined; j++) problem = subdomain(`spec.hostAliases[${i}].hostnames[${j}]`, names[j])
    }
    const dns = spec.dnsConfig
    if (dns !== undefined) {
      const servers: string[] = dns.nameservers ?? []
      for (let i = 0; i < servers.length && problem === undefined; i++) problem = ip(`spec.dnsConfig.nameservers[${i}]`, servers[i])
      const searches: string[] = dns.searches ?? []
      for (let i = 0; i < searches.length && problem === undefined; i++) if (searches[i] !== '.') problem = domain(`spec.dnsConfig.searches[${i}]`, searches[i])
    }
    const containers: Loose[] = spec.containers ?? []
    for (let i = 0; i < containers.length && problem === undefined; i++) {
      const ports: Loose[] = containers[i].ports ?? []
      for (let j = 0; j < ports.length && problem === undefined; j++) problem = port(`spec.containers[${i}].ports[${j}].containerPort`, ports[j].containerPort)
    }
  }
  const status = o.status
  if (status === undefined || problem !== undefined) return problem
  problem = optionalIp('status.podIP', status.podIP) ?? optionalIp('status.hostIP', status.hostIP)
  const podIPs: Loose[] = status.podIPs ?? []
  for (let i = 0; i < podIPs.length && problem === undefined; i++) problem = ip(`status.podIPs[${i}].ip`, podIPs[i].ip)
  return problem
}

const RULES: Record<string, (o: Loose) => FieldProblem | undefined> = {Service: serviceRule, EndpointSlice: endpointSliceRule, Endpoints: endpointsRule, Pod: podRule}

/** "Service shop/web", "Namespace data", or what is known of an object whose metadata is broken. */
export function describeObject(o: Loose, defaultNamespace = 'default'): string {
  const kind = typeof o?.kind === 'string' ? o.kind : 'object'
  const name = o?.metadata?.name
  if (typeof name !== 'string') return kind
  const ns = o.metadata.namespace
  if (kind === 'Namespace') return `${kind} ${name}`
  return `${kind} ${typeof ns === 'string' ? ns : defaultNamespace}/${name}`
}

/** "Service shop/web: spec.ports[0].port 0 is out of range: …", at that field. */
function fieldError(o: Loose, f: FieldProblem, defaultNamespace: string): ObjectError {
  return new ObjectError(`${describeObject(o, defaultNamespace)}: ${f.path} ${f.problem}`, f.path)
}

/**
 * Checks an object of any kind: kind and metadata for all, the shape and API rules of the kinds kdisco reads.
 * Throws an ObjectError whose detail starts with the object ("Service shop/web: spec.ports must be a list, got a
 * number"). Nulls become absent fields; nothing else is changed.
 */
export function checkObject(o: Record<string, unknown>, defaultNamespace = 'default'): void {
  if (typeof o.kind === 'string' && !KIND_NAME.test(o.kind)) throw new ObjectError(`kind ${quote(o.kind)} is not a Kubernetes kind (letters and digits, starting with a letter)`)
  const schema = (typeof o.kind === 'string' && Object.hasOwn(ROOT, o.kind) ? ROOT[o.kind] : undefined) ?? ANY_KIND
  const shape = checkShape(o, schema)
  if (shape) throw fieldError(o, shape, defaultNamespace)
  const kind = o.kind as string
  const meta = o.metadata as {name?: unknown; namespace?: string}
  if (typeof meta.name !== 'string' || meta.name === '') throw new ObjectError(`${kind} has no metadata.name`)
  // Names of kinds kdisco does not read follow their own rules (a ClusterRole may be system:coredns): only listed.
  const nameRule = NAME_RULES[kind] ?? (Object.hasOwn(ROOT, kind) ? {check: isDns1123Subdomain, rule: SUBDOMAIN_RULE} : undefined)
  if (nameRule && !nameRule.check(meta.name)) throw new ObjectError(`${kind} ${quote(meta.name)} has an invalid name: it must be ${nameRule.rule}`, 'metadata.name')
  if (meta.namespace !== undefined && meta.namespace !== '' && !isDns1123Label(meta.namespace))
    throw new ObjectError(`${kind} ${meta.name} has an invalid namespace ${quote(meta.namespace)}: it must be ${LABEL_RULE}`, 'metadata.namespace')
  const broken = Object.hasOwn(RULES, kind) ? RULES[kind](o) : undefined
  if (broken) throw fieldError(o, broken, defaultNamespace)
}

/** Checks a kubeconfig's shape (nulls become absent): the field path and the problem, or undefined. */
export function kubeconfigProblem(config: Record<string, unknown>): string | undefined {
  const shape = checkShape(config, KUBECONFIG)
  return shape && `${shape.path} ${shape.problem}`
}
