// The Node SDK's build flow: createBuild, getEndpoint (server stream), reportHealth (client stream), finishBuild,
// then the API's listing of the project's builds. Prints one JSON line with what each step answered.
// Usage: node sdk-build-flow.mjs <token> <project-id>
import {depot} from '@depot/sdk-node'

const [token, projectId] = process.argv.slice(2)
const headers = {Authorization: `Bearer ${token}`}

const build = await depot.build.v1.BuildService.createBuild({projectId}, {headers})
const buildHeaders = {Authorization: `Bearer ${build.buildToken}`}

const connections = []
for await (const message of depot.buildkit.v1.BuildKitService.getEndpoint({buildId: build.buildId, platform: 1}, {headers: buildHeaders})) {
  connections.push(message.connection.case)
  if (message.connection.case === 'active') {
    connections.push(message.connection.value.toJson())
  }
}

async function* beats() {
  yield {buildId: build.buildId, platform: 1}
  yield {buildId: build.buildId, platform: 1}
}
await depot.buildkit.v1.BuildKitService.reportHealth(beats(), {headers: buildHeaders})
await depot.buildkit.v1.BuildKitService.releaseEndpoint({buildId: build.buildId, platform: 1}, {headers: buildHeaders})
await depot.build.v1.BuildService.finishBuild({buildId: build.buildId, result: {case: 'success', value: {}}}, {headers: buildHeaders})
const listed = await depot.core.v1.BuildService.listBuilds({projectId}, {headers})

console.log(JSON.stringify({buildId: build.buildId, connections, builds: listed.toJson().builds}))
