package org.computeledger.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ConcurrentlyTest {
  @Test
  void resultsComeInTheOrderGivenNotTheOrderFinished() {
    CountDownLatch firstMayEnd = new CountDownLatch(1);
    List<Callable<String>> pieces = List.of(
        () -> {
          firstMayEnd.await(10, TimeUnit.SECONDS);
          return "first";
        },
        () -> {
          firstMayEnd.countDown();
          return "second";
        });
    assertEquals(List.of("first", "second"), Concurrently.call(pieces));
  }

  @Test
  void piecesRunAtOnce() {
    // each piece waits for the other: run one after the other, they would wait out the timeout
    CountDownLatch both = new CountDownLatch(2);
    Callable<Boolean> piece = () -> {
      both.countDown();
      return both.await(10, TimeUnit.SECONDS);
    };
    assertEquals(List.of(true, true), Concurrently.call(List.of(piece, piece)));
  }

  @Test
  void bothGivesEachPiecesResultInItsPlaceWhileTheyRunAtOnce() {
    // the first piece waits for the second to start: run one after the other, it would time out and say 0
    CountDownLatch secondStarted = new CountDownLatch(1);
    Concurrently.Both<Integer, String> both = Concurrently.both(
        () -> secondStarted.await(10, TimeUnit.SECONDS) ? 7 : 0,
        () -> {
          secondStarted.countDown();
          return "costs";
        });
    assertEquals(7, both.first());
    assertEquals("costs", both.second());
  }

  @Test
  void firstFailureInTheGivenOrderIsThrownAsItWas() {
    LedgerException early = new LedgerException("first table: bad");
    LedgerException late = new LedgerException("second table: bad");
    List<Callable<Object>> pieces = List.of(() -> {
      Thread.sleep(200);
      throw early;
    }, () -> {
      throw late;
    });
    assertSame(early, assertThrows(LedgerException.class, () -> Concurrently.call(pieces)));
  }

  @Test
  void everyPieceHasEndedWhenAFailureIsThrown() {
    AtomicBoolean slowEnded = new AtomicBoolean();
    List<Runnable> pieces = List.of(() -> {
      throw new LedgerException("bad");
    }, () -> {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      slowEnded.set(true);
    });
    assertThrows(LedgerException.class, () -> Concurrently.run(pieces));
    assertTrue(slowEnded.get());
  }

  @Test
  void piecesRunOnDaemonThreadsThatInheritTheCallersLoaderAndInheritableLocals() throws Exception {
    // Spark keeps a thread's local properties (job group, scheduler pool) in an inheritable thread local
    InheritableThreadLocal<String> local = new InheritableThreadLocal<>();
    local.set("caller's");
    ClassLoader loader = new java.net.URLClassLoader(new java.net.URL[0], getClass().getClassLoader());
    ClassLoader before = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(loader);
    try {
      Callable<String> seen = () -> {
        Thread t = Thread.currentThread();
        return t.getName() + " " + t.isDaemon() + " " + (t.getContextClassLoader() == loader) + " " + local.get();
      };
      String expected = "ledger-concurrent true true caller's";
      assertEquals(List.of(expected, expected), Concurrently.call(List.of(seen, seen)));
      assertEquals(expected, Concurrently.start(seen).get());
    } finally {
      Thread.currentThread().setContextClassLoader(before);
    }
  }

  @Test
  void aPieceRunHereRunsInTheCallersThreadAndGivesItsResult() {
    Thread caller = Thread.currentThread();
    assertEquals("here", Concurrently.here(() -> Thread.currentThread() == caller ? "here" : "elsewhere"));
  }

  @Test
  void aPieceRunHereFailsAsItWouldAmongOthers() {
    LedgerException bad = new LedgerException("summaries: bad");
    assertSame(bad, assertThrows(LedgerException.class, () -> Concurrently.here(() -> {
      throw bad;
    })));
    // a checked failure wrapped, its cause kept, as call wraps it
    java.io.IOException io = new java.io.IOException("unreadable");
    Callable<Object> checked = () -> {
      throw io;
    };
    assertSame(io, assertThrows(IllegalStateException.class, () -> Concurrently.here(checked)).getCause());
    assertSame(io, assertThrows(IllegalStateException.class,
        () -> Concurrently.call(List.of(checked, () -> "other"))).getCause());
  }

  @Test
  void aStartedPieceRunsWhileTheCallerGoesOnAndAnotherMayWaitForIt() {
    // the caller releases the started piece only after starting it: run in the caller's thread, it would time out
    CountDownLatch callerWentOn = new CountDownLatch(1);
    Concurrently.Pending<Boolean> first = Concurrently.start(() -> callerWentOn.await(10, TimeUnit.SECONDS));
    Concurrently.Pending<String> second = Concurrently.start(() -> first.get() ? "after the first" : "timed out");
    callerWentOn.countDown();
    assertEquals("after the first", second.get());
    assertTrue(first.get());
  }

  @Test
  void aStartedPiecesFailureIsThrownAsItWasByGetAndNotByAwait() {
    LedgerException bad = new LedgerException("costs: bad");
    Concurrently.Pending<Object> piece = Concurrently.start(() -> {
      throw bad;
    });
    piece.await();
    assertSame(bad, assertThrows(LedgerException.class, piece::get));
  }

  @Test
  void awaitWaitsForAStartedPieceToEnd() {
    AtomicBoolean ended = new AtomicBoolean();
    Concurrently.Pending<Void> piece = Concurrently.start(() -> {
      Thread.sleep(300);
      ended.set(true);
      return null;
    });
    piece.await();
    assertTrue(ended.get());
  }
}
