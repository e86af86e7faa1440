// --probe port-forward against a DNS pod that answers with other IDs and other questions first: only the reply
// to the question asked counts (as dig decides), the others are counted in the probe's notes.
import {expect} from 'chai'
import {kdiscoAsync} from '../support/cli.js'
import {loadExamples} from '../support/cluster-objects.js'
import {frame, readQuery, reply, type Responder, startResponder} from '../support/dns-responder.js'
import {KubeApiServer} from '../support/kube-api-server.js'

describe('probe: --probe port-forward matches replies as dig does', function () {
  this.timeout(60000)
  let dns: Responder
  let server: KubeApiServer
  before(async () => {
    // Each pipelined question: first a frame with another ID, then one with its ID but another question, then its answer.
    dns = await startResponder({
      tcpEach: (q, socket) => {
        const query = readQuery(q)
        socket.write(Buffer.concat([frame(reply(query, {id: (query.id + 30000) & 0xffff, answers: [{data: '6.6.6.6'}]})), frame(reply(query, {name: 'evil.example.', answers: [{data: '6.6.6.6'}]})), frame(reply(query, {answers: [{data: '10.107.244.106'}]}))]))
      },
    })
    server = await new KubeApiServer({kubelet: {resolvConf: () => '', portForwardTarget: () => ({host: '127.0.0.1', port: dns.port})}}).start()
    await loadExamples(server)
  })
  after(async () => {
    await server?.stop()
    await dns?.close()
  })

  it('replies under another ID or question are never an answer, and are counted', async () => {
    const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--probe', 'port-forward', '--kubeconfig', server.kubeconfig(), '-o', 'json'])
    expect([0, 1]).to.include(r.status)
    const out = JSON.parse(r.stdout)
    const observed = (out.queries as {observed?: {answers?: {data: string}[]}}[]).flatMap((q) => q.observed?.answers ?? []).map((a) => a.data)
    expect(observed).to.not.include('6.6.6.6')
    expect(observed).to.include('10.107.244.106')
    expect(out.probe.notes.join(' ')).to.match(/port-forward kube-system\/coredns-[\w-]+: ignored \d+ messages that answered no question asked \(another ID or question\), as dig does/)
  })
})
