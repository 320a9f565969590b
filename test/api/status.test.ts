/** Status errors carry Kubernetes' codes, reasons, details and message text. */
import test from 'ava';
import * as status from '../../lib/api/status.js';
import type { Status } from '../../lib/api/types/meta.js';
import { FieldPath, fieldErrors } from '../../lib/api/validation/field.js';

const pods = { group: '', resource: 'pods' };
const deployments = { group: 'apps', resource: 'deployments' };

test('NotFound names the group-qualified resource', (t) => {
  t.deepEqual(status.notFound(deployments, 'web'), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'deployments.apps "web" not found',
    reason: 'NotFound',
    details: { name: 'web', group: 'apps', kind: 'deployments' },
    code: 404,
  });
  t.is(status.notFound(pods, 'x').message, 'pods "x" not found');
  t.deepEqual(status.notFound(pods, 'x').details, { name: 'x', kind: 'pods' });
});

test('AlreadyExists and Conflict are 409 with their reasons', (t) => {
  const a = status.alreadyExists(pods, 'x');
  t.is(a.code, 409);
  t.is(a.reason, 'AlreadyExists');
  t.is(a.message, 'pods "x" already exists');
  const c = status.conflict(pods, 'x');
  t.is(c.code, 409);
  t.is(c.reason, 'Conflict');
  t.is(c.message, 'Operation cannot be fulfilled on pods "x": the object has been modified; please apply your changes to the latest version and try again');
  t.is(status.conflict(deployments, 'web', 'StorageError: precondition').message, 'Operation cannot be fulfilled on deployments.apps "web": StorageError: precondition');
});

test('Invalid formats the message from the field errors and lists each as a cause', (t) => {
  const errs = [fieldErrors.required(FieldPath.root('spec').child('containers').index(0).child('name'))];
  const s = status.invalid({ group: '', kind: 'Pod' }, 'x', errs);
  t.is(s.code, 422);
  t.is(s.reason, 'Invalid');
  t.is(s.message, 'Pod "x" is invalid: spec.containers[0].name: Required value');
  t.deepEqual(s.details, {
    name: 'x',
    kind: 'Pod',
    causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].name' }],
  });
  const two = status.invalid({ group: 'apps', kind: 'Deployment' }, 'web', [
    fieldErrors.invalid(FieldPath.root('spec', 'replicas'), -1, 'must be greater than or equal to 0'),
    fieldErrors.required(FieldPath.root('spec', 'selector')),
  ]);
  t.is(two.message, 'Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.selector: Required value]');
  t.is(two.details?.group, 'apps');
  t.is(status.invalid({ group: '', kind: 'Pod' }, 'x', []).message, 'Pod "x" is invalid');
});

test('the other constructors match apimachinery', (t) => {
  const cases: [ReturnType<typeof status.badRequest>, number, Status['reason'], string][] = [
    [status.badRequest('nope'), 400, 'BadRequest', 'nope'],
    [status.decodeError('Pod', 'v1', 'bad'), 400, 'BadRequest', 'Pod in version "v1" cannot be handled as a Pod: bad'],
    [status.resourceExpired('too old'), 410, 'Expired', 'too old'],
    [status.tooOldResourceVersion(5, 9), 410, 'Expired', 'too old resource version: 5 (9)'],
    [status.gone('gone'), 410, 'Gone', 'gone'],
    [status.methodNotSupported(pods, 'create'), 405, 'MethodNotAllowed', 'create is not supported on resources of kind "pods"'],
    [
      status.unsupportedMediaType(['application/json', 'application/yaml']),
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
    ],
    [status.requestEntityTooLarge('limit is 3145728'), 413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'],
    [status.tooManyRequests('slow down', 1), 429, 'TooManyRequests', 'slow down'],
    [status.tooManyRequestsError('x'), 429, 'TooManyRequests', 'Too many requests: x'],
    [status.unauthorized(), 401, 'Unauthorized', 'not authorized'],
    [status.forbidden(pods, 'x', 'no'), 403, 'Forbidden', 'pods "x" is forbidden: no'],
    [status.forbidden(pods, '', 'no'), 403, 'Forbidden', 'pods is forbidden: no'],
    [status.forbidden({ group: '', resource: '' }, '', 'no'), 403, 'Forbidden', 'forbidden: no'],
    [status.internalError('boom'), 500, 'InternalError', 'Internal error occurred: boom'],
    [status.timeout('slow', 2), 504, 'Timeout', 'Timeout: slow'],
    [status.serviceUnavailable('down'), 503, 'ServiceUnavailable', 'down'],
  ];
  for (const [s, code, reason, message] of cases) {
    t.is(s.code, code, message);
    t.is(s.reason, reason, message);
    t.is(s.message, message);
    t.is(s.status, 'Failure');
  }
  t.deepEqual(status.tooManyRequests('x', 3).details, { retryAfterSeconds: 3 });
  t.deepEqual(status.internalError('boom').details, { causes: [{ message: 'boom' }] });
  t.deepEqual(status.successStatus(201), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  t.true(status.isStatus(status.gone('x')));
  t.false(status.isStatus({ kind: 'Pod' }));
});
