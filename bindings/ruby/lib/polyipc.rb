# frozen_string_literal: true

# polyipc for Ruby: System V semaphores, shared memory and message queues.
#
# The classes come from the SWIG-generated extension polyipc_native (module
# PolyIPC); this file adds what SWIG cannot generate: keyword arguments and
# block forms. (The full Ruby API is issue #4.)
require "polyipc_native"

module PolyIPC
end
