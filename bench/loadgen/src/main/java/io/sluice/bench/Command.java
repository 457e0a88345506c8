package io.sluice.bench;

/** One measurement the load generator can run; options come from the command line. */
interface Command {

    Result run(Args args) throws Exception;
}
