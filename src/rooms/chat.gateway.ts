import { ConnectedSocket, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { identityOf, type ClientSocket } from '../common/client-socket.js';
import { Payload } from '../common/payload.decorator.js';
import { ClientEvents, type ReplyData } from '@switchboard/contract';
import { HistoryDto, SendMessageDto, TypingDto } from './chat.dto.js';
import { ChatService } from './chat.service.js';

@WebSocketGateway()
export class ChatGateway {
  constructor(private readonly chat: ChatService) {}

  @SubscribeMessage(ClientEvents.chatSend)
  send(
    @ConnectedSocket() socket: ClientSocket,
    @Payload(SendMessageDto) message: SendMessageDto,
  ): Promise<ReplyData<typeof ClientEvents.chatSend>> {
    return this.chat.send(identityOf(socket), socket.id, message, socket.data.newRoomsCounter);
  }

  @SubscribeMessage(ClientEvents.chatTyping)
  typing(
    @ConnectedSocket() socket: ClientSocket,
    @Payload(TypingDto) typing: TypingDto,
  ): ReplyData<typeof ClientEvents.chatTyping> {
    return this.chat.typing(identityOf(socket), socket.id, typing);
  }

  @SubscribeMessage(ClientEvents.chatHistory)
  history(
    @ConnectedSocket() socket: ClientSocket,
    @Payload(HistoryDto) query: HistoryDto,
  ): Promise<ReplyData<typeof ClientEvents.chatHistory>> {
    return this.chat.page(socket.id, query);
  }
}
