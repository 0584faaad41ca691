class CreateJobResults < ActiveRecord::Migration[6.1]
  def change
    create_table :job_results do |t|
      t.string :job_id, null: false
      t.integer :attempts, null: false, default: 0
      t.integer :completions, null: false, default: 0
      t.string :worker
      t.datetime :enqueued_at
      t.datetime :finished_at
    end
    add_index :job_results, :job_id, unique: true
  end
end
