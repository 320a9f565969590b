/**
 * Plays a scenario's timeline against virtual time. A step becomes
 * eligible once every waitUntil before it has finished (waitUntil blocks
 * the steps after it); then an `at` step runs at its time, an `after` step
 * when its condition first holds plus its delay, and a `next` step at once
 * after the step before it. A waitUntil finishes when its condition holds
 * or fails when its deadline passes first (later steps then go on, so the
 * report shows what followed). Follow-ups (the end of a failNodes `for`)
 * run at their time.
 */
import type { StepReport, StepStatus } from '../../report/types.js';
import { formatDuration } from '../duration.js';
import type { Action, TimelineStep } from '../types.js';
import { perform } from './actions.js';
import { evaluate } from './conditions.js';
import type { RunContext } from './context.js';
import { Drain } from './drain.js';

interface StepState {
  readonly index: number;
  readonly step: TimelineStep;
  readonly description: string;
  status: StepStatus | 'running';
  /** after: when the condition first held plus the delay. */
  dueAt?: number;
  startedAt?: number;
  doneAt?: number;
  detail?: string;
  /** A drain in progress: it runs until the nodes are empty (drain.ts). */
  drain?: Drain;
}

interface FollowUp {
  readonly at: number;
  readonly action: Exclude<Action, { type: 'waitUntil' }>;
  readonly description: string;
  readonly state: StepState;
}

export type StepListener = (s: StepReport) => void;

export class TimelinePlayer {
  private readonly states: StepState[];
  private readonly followUps: FollowUp[] = [];
  private readonly extra: StepState[] = [];

  constructor(
    private readonly ctx: RunContext,
    steps: readonly TimelineStep[],
    private readonly onStep: StepListener = () => undefined,
  ) {
    this.states = steps.map((step, index) => ({ index, step, description: describeStep(step), status: 'not-run' }));
  }

  /** Every step finished and no follow-up pending. */
  get finished(): boolean {
    return this.states.every((s) => s.status === 'done' || s.status === 'failed') && this.followUps.length === 0;
  }

  /** The earliest time something is known to be due after `now` (an `at`, a delay, a deadline, a follow-up). */
  nextDue(now: number): number | undefined {
    let t = Infinity;
    for (const s of this.states) {
      if (s.status === 'not-run') {
        if (s.step.when.type === 'at' && s.step.when.at > now) t = Math.min(t, s.step.when.at);
        if (s.dueAt !== undefined && s.dueAt > now) t = Math.min(t, s.dueAt);
      }
      if (s.status === 'running' && s.step.action.type === 'waitUntil') t = Math.min(t, (s.startedAt ?? 0) + s.step.action.deadline + 1);
      if (s.status === 'running' && s.drain) t = Math.min(t, Math.max(now + 1, s.drain.nextDue()));
    }
    for (const f of this.followUps) if (f.at > now) t = Math.min(t, f.at);
    return t === Infinity ? undefined : t;
  }

  /** Run whatever is due at `now`, repeatedly, until nothing more is. */
  async tick(now: number): Promise<void> {
    for (let progress = true; progress; ) {
      progress = false;
      for (const f of this.followUps.filter((x) => x.at <= now)) {
        this.followUps.splice(this.followUps.indexOf(f), 1);
        await this.run(f.state, f.action, now);
        progress = true;
      }
      for (const s of this.states) {
        if (s.status === 'running') progress = (await this.poll(s, now)) || progress;
        else if (s.status === 'not-run' && this.eligible(s) && (await this.due(s, now))) {
          progress = true;
          await this.start(s, now);
        }
      }
    }
  }

  /** The steps as the report shows them; unfinished ones as not-run (or failed, for a waitUntil still waiting). */
  report(): StepReport[] {
    return [...this.states, ...this.extra].map((s) => ({
      index: s.index,
      ...(s.step.id === undefined ? {} : { id: s.step.id }),
      action: s.step.action.type,
      description: s.description,
      status: s.status === 'running' ? 'failed' : s.status,
      ...(s.startedAt === undefined ? {} : { startedAt: s.startedAt }),
      ...(s.doneAt === undefined ? {} : { doneAt: s.doneAt }),
      ...(s.status === 'running' ? { detail: `still waiting when the run ended: ${s.detail ?? ''}` } : s.detail === undefined ? {} : { detail: s.detail }),
    }));
  }

  private eligible(s: StepState): boolean {
    for (let i = 0; i < s.index; i++) {
      const prev = this.states[i]!;
      const finished = prev.status === 'done' || prev.status === 'failed';
      if (prev.step.action.type === 'waitUntil' && !finished) return false;
      if (i === s.index - 1 && s.step.when.type === 'next' && !finished) return false;
    }
    return true;
  }

  private async due(s: StepState, now: number): Promise<boolean> {
    const w = s.step.when;
    switch (w.type) {
      case 'next':
        return true;
      case 'at':
        return now >= w.at;
      case 'after': {
        if (s.dueAt === undefined) {
          const v = await evaluate(this.ctx, w.condition);
          if (v.holds) s.dueAt = now + w.delay;
        }
        return s.dueAt !== undefined && now >= s.dueAt;
      }
    }
  }

  private async start(s: StepState, now: number): Promise<void> {
    s.startedAt = now;
    const a = s.step.action;
    if (a.type === 'waitUntil') {
      s.status = 'running';
      await this.poll(s, now);
      return;
    }
    if (a.type === 'drain') {
      try {
        s.drain = await Drain.start(this.ctx, a, s.index, now);
      } catch (err) {
        this.finish(s, 'failed', err instanceof Error ? err.message : String(err), now);
        return;
      }
      s.status = 'running';
      await this.poll(s, now);
      return;
    }
    await this.run(s, a, now);
  }

  private async run(s: StepState, action: Exclude<Action, { type: 'waitUntil' }>, now: number): Promise<void> {
    s.startedAt = now;
    try {
      const r = await perform(this.ctx, action, s.index);
      s.status = 'done';
      s.detail = r.detail;
      if (r.followUp) {
        const state: StepState = {
          index: this.states.length + this.extra.length,
          step: { when: { type: 'at', at: now + r.followUp.delay }, action: r.followUp.action },
          description: r.followUp.description,
          status: 'not-run',
        };
        this.extra.push(state);
        this.followUps.push({ at: now + r.followUp.delay, action: r.followUp.action as FollowUp['action'], description: r.followUp.description, state });
      }
    } catch (err) {
      s.status = 'failed';
      s.detail = err instanceof Error ? err.message : String(err);
    }
    s.doneAt = now;
    if (s.step.id !== undefined) this.ctx.stepsRun.add(s.step.id);
    this.onStep(this.report().find((r) => r.index === s.index)!);
  }

  private finish(s: StepState, status: 'done' | 'failed', detail: string, now: number): void {
    s.status = status;
    s.detail = detail;
    s.doneAt = now;
    if (s.step.id !== undefined) this.ctx.stepsRun.add(s.step.id);
    this.onStep(this.report().find((r) => r.index === s.index)!);
  }

  /** A running drain: true when it finished now. */
  private async pollDrain(s: StepState, drain: Drain, now: number): Promise<boolean> {
    try {
      const r = await drain.poll(now);
      s.detail = r.detail;
      if (!r.done) return false;
      this.finish(s, r.failed ? 'failed' : 'done', r.detail, now);
    } catch (err) {
      this.finish(s, 'failed', err instanceof Error ? err.message : String(err), now);
    }
    return true;
  }

  /** A running waitUntil or drain: true when it finished now. */
  private async poll(s: StepState, now: number): Promise<boolean> {
    if (s.drain) return this.pollDrain(s, s.drain, now);
    const a = s.step.action;
    if (a.type !== 'waitUntil') return false;
    const v = await evaluate(this.ctx, a.condition);
    s.detail = v.detail;
    const waited = now - (s.startedAt ?? now);
    if (v.holds) s.status = 'done';
    else if (waited > a.deadline) {
      s.status = 'failed';
      s.detail = `deadline ${formatDuration(a.deadline)} passed: ${v.detail}`;
    } else return false;
    s.doneAt = now;
    if (s.step.id !== undefined) this.ctx.stepsRun.add(s.step.id);
    this.onStep(this.report().find((r) => r.index === s.index)!);
    return true;
  }
}

export function describeStep(step: TimelineStep): string {
  const a = step.action;
  const when = step.when.type === 'at' ? `at ${formatDuration(step.when.at)}: ` : step.when.type === 'after' ? `after ${condition(step.when.condition)}${step.when.delay ? ` + ${formatDuration(step.when.delay)}` : ''}: ` : '';
  return `${when}${action(a)}`;
}

function action(a: Action): string {
  switch (a.type) {
    case 'apply':
      return `apply ${a.workload.manifests.map((m) => `${m.kind} ${m.name}`).join(', ')}`;
    case 'scale':
      return `scale ${a.target.kind} ${a.target.name} to ${a.replicas}`;
    case 'delete':
    case 'patch':
      return `${a.type} ${a.target.kind} ${a.target.name}`;
    case 'killActor':
      return `killActor ${a.actor}`;
    case 'waitUntil':
      return `waitUntil ${condition(a.condition)} (deadline ${formatDuration(a.deadline)})`;
    default:
      return `${a.type} ${nodes(a.nodes)}${'for' in a && a.for !== undefined ? ` for ${formatDuration(a.for)}` : ''}`;
  }
}

function nodes(t: import('../types.js').NodeTarget): string {
  switch (t.type) {
    case 'names':
      return t.names.join(', ');
    case 'all':
      return 'all nodes';
    case 'pool':
      return `pool ${t.pool}`;
    case 'zone':
      return `zone ${t.zone}${t.pool ? ` of pool ${t.pool}` : ''}`;
    case 'count':
      return `${t.count} nodes${t.pool ? ` of pool ${t.pool}` : ''}`;
    case 'percentage':
      return `${t.percentage}% of nodes${t.pool ? ` of pool ${t.pool}` : ''}`;
  }
}

function condition(c: import('../types.js').Condition): string {
  switch (c.type) {
    case 'allPodsRunning':
      return `allPodsRunning ${c.selector}${c.count === undefined ? '' : ` (${c.count})`}`;
    case 'rolloutComplete':
      return `rolloutComplete ${c.target.kind} ${c.target.name}`;
    case 'fieldPath':
      return `${c.target.kind} ${c.target.name} ${c.path} ${c.op} ${JSON.stringify(c.value)}`;
    case 'step':
      return `step ${c.id}`;
  }
}
