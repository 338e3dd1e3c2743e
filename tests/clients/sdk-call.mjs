// Calls one Depot API method through @depot/sdk-node and prints the outcome as one JSON line.
// Usage: node sdk-call.mjs <package.Service> <method> '<request JSON>' [token] [x-depot-org]
import {depot} from '@depot/sdk-node'

const [service, method, requestJson, token, org] = process.argv.slice(2)
const [pkg, version, serviceName] = service.split('.').slice(-3)
const client = depot[pkg][version][serviceName]
if (!client || typeof client[method] !== 'function') {
  console.log(JSON.stringify({ok: false, code: 'client', message: `no ${service}.${method} in the SDK`}))
  process.exit(0)
}

const headers = {}
if (token) headers.Authorization = `Bearer ${token}`
if (org) headers['x-depot-org'] = org

try {
  const response = await client[method](JSON.parse(requestJson || '{}'), {headers})
  console.log(JSON.stringify({ok: true, response: response.toJson()}))
} catch (error) {
  // ConnectError carries the code as a number; report its wire name.
  const names = ['ok', 'canceled', 'unknown', 'invalid_argument', 'deadline_exceeded', 'not_found', 'already_exists',
    'permission_denied', 'resource_exhausted', 'failed_precondition', 'aborted', 'out_of_range', 'unimplemented',
    'internal', 'unavailable', 'data_loss', 'unauthenticated']
  console.log(JSON.stringify({ok: false, code: names[error.code] ?? String(error.code), message: error.rawMessage ?? String(error)}))
}
