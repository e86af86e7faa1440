// Turns API and transport failures into one-line KdiscoErrors (exit 3) that say what to do next.
import {ExitCode, KdiscoError} from '../../errors.js'
import {ApiError, InvalidResponse, TransportError} from './client.js'
import type {LoadedKubeconfig} from './kubeconfig.js'

const TLS_CODES = /CERT|SELF_SIGNED|TLS|SSL|UNABLE_TO_(GET|VERIFY)|ERR_TLS/

export const RBAC_HINT = 'kdisco needs get/list on services, endpointslices, pods, namespaces and configmaps (see README, "RBAC")'

/** "list endpointslices in namespace shop" from a request path. */
export function describeRequest(verb: string, path: string): string {
  const p = path.split('?')[0].split('/').filter(Boolean)
  const nsIdx = p.indexOf('namespaces')
  const namespace = nsIdx >= 0 && p.length > nsIdx + 2 ? p[nsIdx + 1] : undefined
  const resource = nsIdx >= 0 ? (p.length > nsIdx + 2 ? p[nsIdx + 2] : 'namespaces') : p[p.length - 1]
  const named = nsIdx >= 0 ? p[nsIdx + 3] : undefined
  const action = verb === 'GET' ? (named || (nsIdx >= 0 && p.length === nsIdx + 2) ? 'get' : 'list') : verb === 'DELETE' ? 'delete' : verb === 'POST' ? 'create' : 'patch'
  return `${action} ${resource}${named ? ` ${named}` : ''}${namespace ? ` in namespace ${namespace}` : ' cluster-wide'}`
}

export function toKdiscoError(error: unknown, config: LoadedKubeconfig): KdiscoError {
  if (error instanceof KdiscoError) return error
  const where = `${config.display} (context ${config.context})`
  if (error instanceof TransportError) {
    if (error.code === 'ETIMEDOUT') return new KdiscoError(`The API server ${where} did not answer ${describeRequest(error.verb, error.path)}: ${error.message}`, {hint: 'Check the cluster is reachable, or wait longer with --request-timeout', exitCode: ExitCode.CLUSTER})
    if (error.code === 'ETRUNCATED') return new KdiscoError(`The API server ${where} cut its answer to ${describeRequest(error.verb, error.path)} short: ${error.message}`, {hint: 'Retry; if it persists check the API server and any proxy in front of it', exitCode: ExitCode.CLUSTER})
    if (TLS_CODES.test(error.code)) return new KdiscoError(`TLS verification of ${where} failed: ${error.code}`, {hint: "Check certificate-authority(-data) in the kubeconfig matches the cluster's CA", exitCode: ExitCode.CLUSTER})
    const what = error.code === 'ECONNREFUSED' ? 'connection refused' : error.code === 'ENOTFOUND' ? 'host not found' : error.code === 'ECONNRESET' ? 'connection reset' : error.message
    return new KdiscoError(`Cannot reach the API server ${where}: ${what}`, {hint: 'Check that the cluster is running and the context is right (kubectl cluster-info)', exitCode: ExitCode.CLUSTER})
  }
  if (error instanceof InvalidResponse) {
    return new KdiscoError(`The API server ${where} answered ${describeRequest(error.verb, error.path)} with ${error.detail}`, {hint: 'Check that the server URL is the Kubernetes API itself (not a proxy or a login page), and retry', exitCode: ExitCode.CLUSTER})
  }
  if (error instanceof ApiError) {
    const what = describeRequest(error.verb, error.path)
    switch (error.status) {
      case 401:
        return new KdiscoError(`The API server ${where} rejected the credentials (401 Unauthorized)`, {hint: 'The token or certificate may have expired: log in again and retry', exitCode: ExitCode.CLUSTER})
      case 403:
        return new KdiscoError(`RBAC forbids ${what}: ${oneLine(error.message)}`, {hint: RBAC_HINT, exitCode: ExitCode.CLUSTER})
      case 404:
        return new KdiscoError(`Not found: ${what} (${oneLine(error.message)})`, {hint: 'Check the name and -n', exitCode: ExitCode.CLUSTER})
      case 429:
        return new KdiscoError(`The API server ${where} keeps throttling requests (429)`, {hint: 'Retry later', exitCode: ExitCode.CLUSTER})
      default:
        return new KdiscoError(`The API server ${where} failed to ${what}: ${error.status} ${oneLine(error.message)}`, {hint: 'Retry; if it persists check the API server health (kubectl get --raw /readyz)', exitCode: ExitCode.CLUSTER})
    }
  }
  throw error
}

/** A server's message in one line, at most 300 characters of it. */
function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim()
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}
