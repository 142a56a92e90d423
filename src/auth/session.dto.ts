import { IsString, Length } from 'class-validator';
import type { SessionRefresh } from '@switchboard/contract';

/** Far longer than any identity provider's token; bounds what a client makes the server verify. */
export const TOKEN_MAX_LENGTH = 16_384;

export class RefreshSessionDto implements SessionRefresh {
  @IsString() @Length(1, TOKEN_MAX_LENGTH) token!: string;
}
