// The harness's own way to the real kube-apiserver (admin token, the server's CA): apply objects with server-side
// apply, set pod status, list, delete. Deliberately separate from kdisco's client: the tests check kdisco against
// what this client wrote.
import {request} from 'node:https'

export interface ApiObject {
  apiVersion: string
  kind: string
  metadata: {name: string; namespace?: string; [k: string]: unknown}
  [k: string]: unknown
}

interface KindInfo {
  group: string
  resource: string
  namespaced: boolean
}

const KINDS: Record<string, KindInfo> = {
  Namespace: {group: 'api/v1', resource: 'namespaces', namespaced: false},
  Node: {group: 'api/v1', resource: 'nodes', namespaced: false},
  Service: {group: 'api/v1', resource: 'services', namespaced: true},
  Pod: {group: 'api/v1', resource: 'pods', namespaced: true},
  Endpoints: {group: 'api/v1', resource: 'endpoints', namespaced: true},
  ConfigMap: {group: 'api/v1', resource: 'configmaps', namespaced: true},
  Secret: {group: 'api/v1', resource: 'secrets', namespaced: true},
  ServiceAccount: {group: 'api/v1', resource: 'serviceaccounts', namespaced: true},
  EndpointSlice: {group: 'apis/discovery.k8s.io/v1', resource: 'endpointslices', namespaced: true},
  StatefulSet: {group: 'apis/apps/v1', resource: 'statefulsets', namespaced: true},
  Deployment: {group: 'apis/apps/v1', resource: 'deployments', namespaced: true},
  ReplicaSet: {group: 'apis/apps/v1', resource: 'replicasets', namespaced: true},
  DaemonSet: {group: 'apis/apps/v1', resource: 'daemonsets', namespaced: true},
  Ingress: {group: 'apis/networking.k8s.io/v1', resource: 'ingresses', namespaced: true},
  ClusterRole: {group: 'apis/rbac.authorization.k8s.io/v1', resource: 'clusterroles', namespaced: false},
  ClusterRoleBinding: {group: 'apis/rbac.authorization.k8s.io/v1', resource: 'clusterrolebindings', namespaced: false},
  Role: {group: 'apis/rbac.authorization.k8s.io/v1', resource: 'roles', namespaced: true},
  RoleBinding: {group: 'apis/rbac.authorization.k8s.io/v1', resource: 'rolebindings', namespaced: true},
  CustomResourceDefinition: {group: 'apis/apiextensions.k8s.io/v1', resource: 'customresourcedefinitions', namespaced: false},
  // KWOK's mappings for the kubelet API it serves (components/kwok/crd).
  Logs: {group: 'apis/kwok.x-k8s.io/v1alpha1', resource: 'logs', namespaced: true},
  Exec: {group: 'apis/kwok.x-k8s.io/v1alpha1', resource: 'execs', namespaced: true},
  PortForward: {group: 'apis/kwok.x-k8s.io/v1alpha1', resource: 'portforwards', namespaced: true},
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message)
  }
}

export class KubeApi {
  constructor(
    readonly server: string,
    private readonly token: string,
    private readonly ca: string,
  ) {}

  /** The path of a kind's collection (`namespace` for namespaced kinds) or of one object. */
  static path(kind: string, namespace?: string, name?: string): string {
    const k = KINDS[kind]
    if (!k) throw new Error(`the harness does not know kind ${kind}`)
    const ns = k.namespaced ? `/namespaces/${namespace ?? 'default'}` : ''
    return `/${k.group}${ns}/${k.resource}${name ? `/${name}` : ''}`
  }

  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<any> {
    const url = new URL(path, this.server)
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          ca: this.ca,
          timeout: 30000,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: 'application/json',
            ...(payload ? {'Content-Type': contentType, 'Content-Length': payload.length} : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            if ((res.statusCode ?? 0) >= 300) {
              let message = text
              try {
                message = JSON.parse(text).message ?? text
              } catch {}
              return reject(new ApiError(`${method} ${path}: ${res.statusCode} ${message}`, res.statusCode ?? 0, text))
            }
            try {
              resolve(text === '' ? undefined : JSON.parse(text))
            } catch {
              resolve(text)
            }
          })
          res.on('error', reject)
        },
      )
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)))
      req.on('error', reject)
      req.end(payload)
    })
  }

  /** Server-side apply: creates or updates the object to exactly the given fields. */
  apply<T extends ApiObject>(obj: T, subresource = ''): Promise<T> {
    const path = KubeApi.path(obj.kind, obj.metadata.namespace, obj.metadata.name) + (subresource ? `/${subresource}` : '')
    return this.request('PATCH', `${path}?fieldManager=kdisco-harness&force=true`, obj, 'application/apply-patch+yaml')
  }

  async applyAll(objects: ApiObject[]): Promise<void> {
    for (const o of objects) await this.apply(o)
  }

  create<T extends ApiObject>(obj: T): Promise<T> {
    return this.request('POST', KubeApi.path(obj.kind, obj.metadata.namespace), obj)
  }

  get<T = any>(kind: string, namespace: string | undefined, name: string): Promise<T> {
    return this.request('GET', KubeApi.path(kind, namespace, name))
  }

  async list<T = any>(kind: string, namespace?: string, query = ''): Promise<T[]> {
    const path = namespace === undefined && KINDS[kind]?.namespaced ? `/${KINDS[kind].group}/${KINDS[kind].resource}` : KubeApi.path(kind, namespace)
    const body = await this.request('GET', `${path}${query ? `?${query}` : ''}`)
    return body.items as T[]
  }

  /** Deletes an object; a missing one is not an error. */
  async delete(kind: string, namespace: string | undefined, name: string, options: {gracePeriodSeconds?: number} = {}): Promise<void> {
    const q = options.gracePeriodSeconds === undefined ? '' : `?gracePeriodSeconds=${options.gracePeriodSeconds}`
    await this.request('DELETE', KubeApi.path(kind, namespace, name) + q).catch((e) => {
      if (!(e instanceof ApiError && e.status === 404)) throw e
    })
  }

  /** A JSON merge patch (of the object or a subresource such as `status`). */
  mergePatch<T = any>(kind: string, namespace: string | undefined, name: string, patch: unknown, subresource = ''): Promise<T> {
    return this.request('PATCH', KubeApi.path(kind, namespace, name) + (subresource ? `/${subresource}` : ''), patch, 'application/merge-patch+json')
  }
}
