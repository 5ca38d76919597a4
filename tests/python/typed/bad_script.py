"""Type errors mypy must report against the installed stub, one on each line
whose comment starts with "E:" (tests/python/run_matrix.py checks exactly
these lines): proof that mypy really uses polyipc's types. Never run."""
import polyipc

sem = polyipc.Semaphore(None, polyipc.IPC_CREX)
sem.acquire(timeout="soon")  # E: a str timeout
count: str = polyipc.MessageQueue(None).current_messages  # E: an int attribute
polyipc.SharedMemory(None).write(42)  # E: an int as data
sem.key = 5  # E: a read-only property
polyipc.no_such_function()  # E: a name the module does not have
