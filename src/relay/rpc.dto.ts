import { Exclude } from 'class-transformer';
import { IsString, Matches } from 'class-validator';
import { EVENT_NAME, type RpcCall } from '@switchboard/contract';

/** `rpc`: the method's name, and its `data` (any JSON) as sent (see `validateCustomEvent`). */
export class RpcDto implements RpcCall {
  @Matches(EVENT_NAME, { message: '$property must be 1–64 characters of A-Z a-z 0-9 _ . : -' })
  @IsString()
  method!: string;

  @Exclude()
  data?: unknown;
}
