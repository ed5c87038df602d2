defmodule MyApp.SessionCache do
  @moduledoc """
  Caches user sessions in ETS with a time-to-live, swept periodically.
  """
  use GenServer

  @table :session_cache
  @sweep_interval :timer.minutes(1)

  def start_link(opts \\ []) do
    GenServer.start_link(__MODULE__, opts, name: __MODULE__)
  end

  def put(token, session, ttl_seconds \\ 3600) do
    expires = System.monotonic_time(:second) + ttl_seconds
    :ets.insert(@table, {token, session, expires})
    :ok
  end

  def fetch(token) do
    now = System.monotonic_time(:second)

    case :ets.lookup(@table, token) do
      [{^token, session, expires}] when expires > now -> {:ok, session}
      _ -> :error
    end
  end

  @impl true
  def init(_opts) do
    :ets.new(@table, [:named_table, :public, read_concurrency: true])
    schedule_sweep()
    {:ok, %{}}
  end

  @impl true
  def handle_info(:sweep, state) do
    now = System.monotonic_time(:second)
    :ets.select_delete(@table, [{{:_, :_, :"$1"}, [{:"=<", :"$1", now}], [true]}])
    schedule_sweep()
    {:noreply, state}
  end

  defp schedule_sweep do
    Process.send_after(self(), :sweep, @sweep_interval)
  end
end
