using Switchyard.Cli;

return await SwitchyardCommand.RunAsync(args).ConfigureAwait(false);
