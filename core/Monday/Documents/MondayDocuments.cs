namespace DiscordLedgerBot.Core.Monday.Documents;

/// <summary>
/// Every fixed GraphQL document the client sends. Values always travel as variables; nothing here is built from
/// user text. Each asks for <c>complexity</c> so the budget model gets a reading from every answer.
/// The batched mutation document is built by <see cref="MutationBatch"/> from the same trusted fragments.
/// </summary>
public static class MondayDocuments
{
    public const string ComplexitySelection = "complexity { before after query reset_in_x_seconds }";

    /// <summary>The item fields the ledger maps into a LedgerEntry.</summary>
    public const string ItemSelection =
        "id name state group { id title } column_values { id type text value ... on StatusValue { index } ... on DateValue { date } }";

    public const string BoardSchema =
        "query LedgerBoardSchema($board: [ID!]) { " + ComplexitySelection +
        " boards(ids: $board) { id name columns { id title type settings } groups { id title } } }";

    public const string CreateBoard =
        "mutation CreateLedgerBoard($name: String!, $kind: BoardKind!) { " + ComplexitySelection +
        " create_board(board_name: $name, board_kind: $kind, empty: true) { id name } }";

    public const string CreateGroup =
        "mutation CreateLedgerGroup($board: ID!, $name: String!, $color: String) { " + ComplexitySelection +
        " create_group(board_id: $board, group_name: $name, group_color: $color) { id title } }";

    public const string CreateColumn =
        "mutation CreateLedgerColumn($board: ID!, $id: String, $title: String!, $type: ColumnType!, $defaults: JSON) { " + ComplexitySelection +
        " create_column(board_id: $board, id: $id, title: $title, column_type: $type, defaults: $defaults) { id type } }";

    // Page sizes are literals: they are our constants (monday's maxima), and the result count is capped client-side.

    /// <summary>monday serves at most 100 ids per <c>items</c> call.</summary>
    public const string ItemsByIds =
        "query LedgerItemsByIds($ids: [ID!]) { " + ComplexitySelection +
        " items(ids: $ids, limit: 100) { " + ItemSelection + " } }";

    public const string ItemsByColumnValues =
        "query LedgerItemsByColumnValues($board: ID!, $columns: [ItemsPageByColumnValuesQuery!]) { " + ComplexitySelection +
        " items_page_by_column_values(board_id: $board, columns: $columns, limit: 500) { cursor items { " + ItemSelection + " } } }";

    public const string ItemsPage =
        "query LedgerItemsPage($board: [ID!], $query: ItemsQuery) { " + ComplexitySelection +
        " boards(ids: $board) { items_page(limit: 500, query_params: $query) { cursor items { " + ItemSelection + " } } } }";

    public const string NextItemsPage =
        "query LedgerNextItemsPage($cursor: String!) { " + ComplexitySelection +
        " next_items_page(cursor: $cursor, limit: 500) { cursor items { " + ItemSelection + " } } }";

    /// <summary>The sync poller's listing: newest change first (ordered by <c>__last_updated__</c>), with <c>updated_at</c>.</summary>
    public const string ChangedItemsPage =
        "query LedgerChangedItems($board: [ID!], $limit: Int!, $query: ItemsQuery) { " + ComplexitySelection +
        " boards(ids: $board) { items_page(limit: $limit, query_params: $query) { cursor items { updated_at " + ItemSelection + " } } } }";

    public const string NextChangedItemsPage =
        "query LedgerNextChangedItems($cursor: String!, $limit: Int!) { " + ComplexitySelection +
        " next_items_page(cursor: $cursor, limit: $limit) { cursor items { updated_at " + ItemSelection + " } } }";

    /// <summary>Every constant document, for schema validation tests.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        [nameof(BoardSchema)] = BoardSchema,
        [nameof(CreateBoard)] = CreateBoard,
        [nameof(CreateGroup)] = CreateGroup,
        [nameof(CreateColumn)] = CreateColumn,
        [nameof(ItemsByIds)] = ItemsByIds,
        [nameof(ItemsByColumnValues)] = ItemsByColumnValues,
        [nameof(ItemsPage)] = ItemsPage,
        [nameof(NextItemsPage)] = NextItemsPage,
        [nameof(ChangedItemsPage)] = ChangedItemsPage,
        [nameof(NextChangedItemsPage)] = NextChangedItemsPage,
    };
}
