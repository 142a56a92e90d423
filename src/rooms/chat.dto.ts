import { IsBoolean, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsRoomName, Trimmed } from '../common/validators.js';
import {
  CLIENT_MSG_ID_MAX,
  HISTORY_PAGE_MAX,
  MESSAGE_TEXT_MAX,
  type HistoryQuery,
  type SendMessage,
  type Typing,
} from '@switchboard/contract';

export class SendMessageDto implements SendMessage {
  @IsRoomName() room!: string;
  @Trimmed() @IsString() @Length(1, MESSAGE_TEXT_MAX) text!: string;
  @IsOptional() @IsString() @Length(1, CLIENT_MSG_ID_MAX) clientMsgId?: string;
}

export class TypingDto implements Typing {
  @IsRoomName() room!: string;
  @IsBoolean() typing!: boolean;
}

export class HistoryDto implements HistoryQuery {
  @IsRoomName() room!: string;
  @IsOptional() @IsInt() @Min(0) after?: number;
  @IsOptional() @IsInt() @Min(1) before?: number;
  @IsOptional() @IsInt() @Min(1) @Max(HISTORY_PAGE_MAX) limit?: number;
}
