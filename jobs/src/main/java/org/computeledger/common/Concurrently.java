package org.computeledger.common;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Independent pieces of driver work (each a few Spark queries: ingesting one table, writing one output)
 * run at once, so that while one piece is being planned on the driver another's tasks run. On a small
 * input nearly all the time is such per-query driver work, one core's worth, with the executors idle.
 * Spark runs jobs from several threads of one session safely; each piece must touch only its own state.
 */
public final class Concurrently {
  private Concurrently() {}

  /**
   * Runs every piece, each on a thread of its own, and returns their results in the order given. When
   * pieces fail, the first failure in that order is thrown as it was (a LedgerException stays one),
   * after every piece has ended, so no piece is still writing when the caller cleans up.
   */
  public static <T> List<T> call(List<? extends Callable<T>> pieces) {
    if (pieces.size() <= 1) {
      List<T> out = new ArrayList<>();
      for (Callable<T> c : pieces) {
        out.add(callOne(c));
      }
      return out;
    }
    // the pool makes its threads as the pieces are submitted, so here, in the caller's thread (see pieceThread)
    ExecutorService pool = Executors.newFixedThreadPool(pieces.size(), Concurrently::pieceThread);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> c : pieces) {
        futures.add(pool.submit(c));
      }
      List<T> out = new ArrayList<>();
      RuntimeException failure = null;
      for (Future<T> f : futures) {
        try {
          out.add(f.get());
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = unwrap(e.getCause());
          }
          out.add(null);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new LedgerException("interrupted", e);
        }
      }
      if (failure != null) {
        throw failure;
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Runs one piece in the calling thread and returns its result; its failure is thrown as {@link #call} throws
   * a piece's (a RuntimeException as it was, a checked exception wrapped): for a piece that must end before
   * what follows it starts, with the same failures as when it runs beside others.
   */
  public static <T> T here(Callable<T> piece) {
    return callOne(piece);
  }

  /** Two results computed at once, each of its own type ({@link #both}). */
  public record Both<A, B>(A first, B second) {}

  /** {@link #call} for two pieces of different result types. */
  public static <A, B> Both<A, B> both(Callable<A> first, Callable<B> second) {
    List<Object> out = call(List.<Callable<Object>>of(first::call, second::call));
    @SuppressWarnings("unchecked")
    Both<A, B> typed = new Both<>((A) out.get(0), (B) out.get(1));
    return typed;
  }

  /** {@link #call} for pieces without a result. */
  public static void run(List<Runnable> pieces) {
    List<Callable<Void>> calls = new ArrayList<>();
    for (Runnable r : pieces) {
      calls.add(() -> {
        r.run();
        return null;
      });
    }
    call(calls);
  }

  /**
   * A piece started on a thread of its own ({@link #start}), for work whose pieces depend on each other in
   * part: a piece may wait for another's result ({@link #get}) while the caller goes on with its own.
   */
  public static final class Pending<T> {
    private final java.util.concurrent.FutureTask<T> task;

    private Pending(Callable<T> piece) {
      task = new java.util.concurrent.FutureTask<>(piece);
      pieceThread(task).start();
    }

    /** Waits for the piece and returns its result, or throws its failure as it was (as {@link #call} does). */
    public T get() {
      try {
        return task.get();
      } catch (ExecutionException e) {
        throw unwrap(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LedgerException("interrupted", e);
      }
    }

    /**
     * Waits for the piece to end, whatever its outcome: for a {@code finally}, so that when the caller
     * fails no piece is still running Spark jobs after it returns.
     */
    public void await() {
      try {
        task.get();
      } catch (ExecutionException | java.util.concurrent.CancellationException e) {
        // its failure, if any, is the getter's to report
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts {@code piece} on a thread of its own; its result is the returned handle's {@link Pending#get}. */
  public static <T> Pending<T> start(Callable<T> piece) {
    return new Pending<>(piece);
  }

  /**
   * The thread a piece runs on, for {@link #call}'s pool and {@link #start} alike: a daemon (a piece left running
   * never keeps the JVM up), named for thread dumps. Made in the caller's thread, it inherits that thread's
   * context class loader and inheritable thread locals, among them Spark's local properties (job group,
   * scheduler pool, job description) and its active session, so a piece's jobs run as the caller's would.
   */
  private static Thread pieceThread(Runnable r) {
    Thread t = new Thread(r, "ledger-concurrent");
    t.setDaemon(true);
    return t;
  }

  private static <T> T callOne(Callable<T> c) {
    try {
      return c.call();
    } catch (Exception e) {
      throw unwrap(e);
    }
  }

  private static RuntimeException unwrap(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t.getMessage(), t);
  }
}
