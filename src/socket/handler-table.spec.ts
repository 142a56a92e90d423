import { createParamDecorator, UseFilters, UseGuards } from '@nestjs/common';
import { Ack, ConnectedSocket, MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { IsString } from 'class-validator';
import { AppError } from '../common/app-error.js';
import type { ClientSocket } from '../common/client-socket.js';
import { Payload } from '../common/payload.decorator.js';
import { buildHandlerTable } from './handler-table.js';

class NoteDto {
  @IsString() text!: string;
}

class NotesGateway {
  @SubscribeMessage('note:add')
  add(@ConnectedSocket() socket: ClientSocket, @Payload(NoteDto) note: NoteDto) {
    return { socketId: socket.id, note };
  }

  @SubscribeMessage('note:count')
  count() {
    return { count: 1 };
  }

  /** Not subscribed: never in the table. */
  helper() {
    return 'not an event';
  }
}

const socket = { id: 's1' } as ClientSocket;

describe('buildHandlerTable', () => {
  it('has one handler per subscribed event, and none for other methods', () => {
    expect([...buildHandlerTable([new NotesGateway()]).keys()]).toEqual(['note:add', 'note:count']);
  });

  it('calls the method with the socket and the payload validated into its DTO', () => {
    const add = buildHandlerTable([new NotesGateway()]).get('note:add')!;
    const result = add(socket, { text: 'hello', extra: 'dropped' }) as {
      socketId: string;
      note: NoteDto;
    };
    expect(result.socketId).toBe('s1');
    expect(result.note).toBeInstanceOf(NoteDto);
    expect(result.note).toEqual({ text: 'hello' });
  });

  it('calls a method without parameters with none', () => {
    const count = buildHandlerTable([new NotesGateway()]).get('note:count')!;
    expect(count(socket, { anything: true })).toEqual({ count: 1 });
  });

  it('throws VALIDATION_FAILED with the details when the payload does not fit the DTO', () => {
    const add = buildHandlerTable([new NotesGateway()]).get('note:add')!;
    let thrown: unknown;
    try {
      add(socket, { text: 42 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'text', problems: [expect.any(String)] }],
    });
  });

  describe('refuses at build what it would not apply', () => {
    it('@MessageBody(), a Nest parameter decorator it does not support', () => {
      class BodyGateway {
        @SubscribeMessage('body')
        body(@MessageBody() body: unknown) {
          return body;
        }
      }
      expect(() => buildHandlerTable([new BodyGateway()])).toThrow(
        /BodyGateway\.body \("body"\), parameter 0: a decorator the handler table does not support/,
      );
    });

    it('@Ack(), which would leave the reply to the handler', () => {
      class AckGateway {
        @SubscribeMessage('ack')
        ack(@Ack() ack: () => void) {
          ack();
        }
      }
      expect(() => buildHandlerTable([new AckGateway()])).toThrow(/does not support/);
    });

    it('a custom parameter decorator that is not a payload decorator', () => {
      const UserAgent = createParamDecorator(() => 'agent');
      class AgentGateway {
        @SubscribeMessage('agent')
        agent(@UserAgent() agent: string) {
          return agent;
        }
      }
      expect(() => buildHandlerTable([new AgentGateway()])).toThrow(/not a payload decorator/);
    });

    it('a parameter without a decorator', () => {
      class BareGateway {
        @SubscribeMessage('bare')
        bare(@ConnectedSocket() socket: ClientSocket, payload: unknown) {
          return { socket, payload };
        }
      }
      expect(() => buildHandlerTable([new BareGateway()])).toThrow(
        /parameter 1 has no supported decorator/,
      );
    });

    it('a guard or an exception filter, on the class or the method', () => {
      class Filtered {
        catch() {}
      }
      @UseFilters(Filtered)
      class FilteredGateway {
        @SubscribeMessage('filtered')
        filtered() {
          return {};
        }
      }
      class AllowAll {
        canActivate() {
          return true;
        }
      }
      class GuardedGateway {
        @SubscribeMessage('guarded')
        @UseGuards(AllowAll)
        guarded() {
          return {};
        }
      }
      expect(() => buildHandlerTable([new FilteredGateway()])).toThrow(/an exception filter/);
      expect(() => buildHandlerTable([new GuardedGateway()])).toThrow(/a guard/);
    });

    it('two handlers for one event', () => {
      class OtherNotesGateway {
        @SubscribeMessage('note:count')
        count() {
          return { count: 2 };
        }
      }
      expect(() => buildHandlerTable([new NotesGateway(), new OtherNotesGateway()])).toThrow(
        /another handler subscribes to this event/,
      );
    });
  });
});
