/**
 * Media for the production profile: queue prompts and hold music through rtpengine.
 */
import type { Logger } from '../logger';
import { ensurePrompts } from './prompts';
import { QueueMedia, type AnswerPort, type QueuedCallView } from './queue-media';
import { RtpengineNg, parseNgAddress } from './rtpengine-ng';

export { QueueMedia } from './queue-media';

/**
 * Queue media when rtpengine is configured (RTPENGINE_NG) and the prompts exist or can be made
 * now; otherwise undefined and callers hear 182 Queued ringback as in the embedded profile.
 */
export async function createQueueMedia<C extends QueuedCallView>(opts: {
  ng: string | undefined;
  promptsDir: string;
  port: AnswerPort<C>;
  logger: Logger;
}): Promise<QueueMedia<C> | undefined> {
  if (!opts.ng) return undefined;
  const prompts = await ensurePrompts(opts.promptsDir).catch((err: unknown) => {
    opts.logger.warn('queue prompts could not be made', { err });
    return undefined;
  });
  if (!prompts) {
    opts.logger.warn('no queue prompts (espeak-ng/sox missing): callers hear 182 Queued only');
    return undefined;
  }
  const ng = new RtpengineNg(parseNgAddress(opts.ng));
  ng.ping().then(
    () => opts.logger.info('rtpengine answers', { ng: opts.ng }),
    (err: unknown) => opts.logger.warn('rtpengine does not answer (yet)', { ng: opts.ng, err }),
  );
  return new QueueMedia({ ng, prompts, port: opts.port, logger: opts.logger });
}
